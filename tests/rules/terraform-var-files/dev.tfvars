size = "t3.large"
