# ruleid: sqs-no-dead-letter-queue
resource "aws_sqs_queue" "uploads" {
  name                       = "uploads"
  visibility_timeout_seconds = 900
}

# ok: sqs-no-dead-letter-queue
resource "aws_sqs_queue" "jobs" {
  name = "jobs"
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.jobs_dead.arn
    maxReceiveCount     = 5
  })
}

# The dead-letter queue itself needs none.
# ok: sqs-no-dead-letter-queue
resource "aws_sqs_queue" "jobs_dead" {
  name = "jobs-dead"
}

# A redrive policy set by its own resource (AWS provider 4.x and later).
# ok: sqs-no-dead-letter-queue
resource "aws_sqs_queue" "thumbnails" {
  name = "thumbnails"
}

resource "aws_sqs_queue_redrive_policy" "thumbnails" {
  queue_url = aws_sqs_queue.thumbnails.id
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.jobs_dead.arn
    maxReceiveCount     = 10
  })
}

# Not deployed (count = 0): not judged.
# ok: sqs-no-dead-letter-queue
resource "aws_sqs_queue" "legacy" {
  count = 0
  name  = "legacy"
}
