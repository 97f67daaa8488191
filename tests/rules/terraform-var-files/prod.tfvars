size = "m5.4xlarge"
