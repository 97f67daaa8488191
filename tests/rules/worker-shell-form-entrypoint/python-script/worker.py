"""Poll a queue and handle each job."""

import os
import signal

import boto3

sqs = boto3.client("sqs")
QUEUE_URL = os.environ["QUEUE_URL"]
running = True


def stop(_signum, _frame):
    global running
    running = False


def handle(message):
    print(message["Body"])


signal.signal(signal.SIGTERM, stop)


def main():
    while running:
        response = sqs.receive_message(QueueUrl=QUEUE_URL, WaitTimeSeconds=20)
        for message in response.get("Messages", []):
            handle(message)
            sqs.delete_message(QueueUrl=QUEUE_URL, ReceiptHandle=message["ReceiptHandle"])


if __name__ == "__main__":
    main()
