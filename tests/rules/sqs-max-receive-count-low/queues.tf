resource "aws_sqs_queue" "jobs" {
  name = "jobs"
  # ruleid: sqs-max-receive-count-low
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dead.arn
    maxReceiveCount     = 1
  })
}

resource "aws_sqs_queue" "reports" {
  name = "reports"
  # ok: sqs-max-receive-count-low
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dead.arn
    maxReceiveCount     = 5
  })
}

resource "aws_sqs_queue" "exports" {
  name = "exports"
}

resource "aws_sqs_queue_redrive_policy" "exports" {
  queue_url = aws_sqs_queue.exports.id
  # ruleid: sqs-max-receive-count-low
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dead.arn
    maxReceiveCount     = 3
  })
}

resource "aws_sqs_queue" "dead" {
  name = "dead"
}
