resource "aws_lambda_function" "legacy" {
  function_name = "legacy"
  # ruleid: lambda-runtime-deprecated
  runtime = "nodejs12.x"
  handler = "index.handler"
}

resource "aws_lambda_function" "current" {
  function_name = "current"
  # ok: lambda-runtime-deprecated
  runtime = "nodejs22.x"
  handler = "index.handler"
}
