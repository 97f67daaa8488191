resource "aws_lambda_function" "stated" {
  function_name = "stated"
  role          = "arn:aws:iam::123456789012:role/lambda"
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "build/app.zip"
  architectures = ["x86_64"]
}

resource "aws_lambda_function" "implicit" {
	function_name = "implicit"
	role          = "arn:aws:iam::123456789012:role/lambda"
	handler       = "app.handler"
	runtime       = "python3.12"
	filename      = "build/app.zip"
}
