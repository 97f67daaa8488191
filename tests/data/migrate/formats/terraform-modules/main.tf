# One module, three callers: each passes its own values, or relies on the module's defaults.
module "api" {
  source        = "./modules/worker"
  instance_type = "c5.2xlarge"
  arch          = "X86_64"
}

module "batch" {
  source        = "./modules/worker"
  instance_type = "m5.xlarge"
}

module "cron" {
  source = "./modules/worker"
}
