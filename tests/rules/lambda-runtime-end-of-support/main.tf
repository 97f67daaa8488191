resource "aws_lambda_function" "tf" {
  function_name = "tf"
  # ruleid: lambda-runtime-end-of-support
  runtime       = "python3.9"
  architectures = ["arm64"]
  handler       = "index.handler"
}
