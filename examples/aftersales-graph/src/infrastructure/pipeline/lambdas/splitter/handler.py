"""Split an uploaded document into page batches and queue them."""

import json
import os

import boto3

sqs = boto3.client("sqs")


def main(event, context):
    for record in event.get("Records", []):
        key = record["s3"]["object"]["key"]
        sqs.send_message(QueueUrl=os.environ["QUEUE_URL"], MessageBody=json.dumps({"key": key}))
    return {"queued": len(event.get("Records", []))}
