variable "instance_type" {
  type    = string
  default = "c5.large"
}

variable "arch" {
  type    = string
  default = "X86_64"
}
