resource "aws_lambda_function" "fn" {
  function_name = "fn"
  # ruleid: lambda-x86
  architectures = ["x86_64"]
}
