resource "aws_sqs_queue" "transcription_jobs" {
  name                       = "rem-transcription-jobs-${var.environment}"
  visibility_timeout_seconds = 900
  message_retention_seconds  = 345600
}

resource "aws_s3_bucket" "transcripts" {
  bucket = "rem-transcripts-${var.environment}"
}

resource "aws_dynamodb_table" "transcripts" {
  name         = "rem-transcripts-${var.environment}"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "recording_id"

  attribute {
    name = "recording_id"
    type = "S"
  }
}
