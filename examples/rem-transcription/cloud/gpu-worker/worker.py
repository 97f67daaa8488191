"""Poll SQS for recordings, transcribe with faster-whisper, store the result.

Interruption-tolerant by design: a message is deleted only after the
transcript is stored, so a stopped task leaves it to reappear on the queue.
"""

import json
import os
import tempfile

import boto3
from faster_whisper import WhisperModel

sqs = boto3.client("sqs")
s3 = boto3.client("s3")
table = boto3.resource("dynamodb").Table(os.environ["TABLE"])
model = WhisperModel(os.environ.get("WHISPER_MODEL", "base"), device="cpu", compute_type="int8")


def handle(message: dict) -> None:
    job = json.loads(message["Body"])
    with tempfile.NamedTemporaryFile(suffix=".m4a") as audio:
        s3.download_file(job["bucket"], job["key"], audio.name)
        segments, _info = model.transcribe(audio.name)
        text = " ".join(segment.text.strip() for segment in segments)
    s3.put_object(Bucket=os.environ["BUCKET"], Key=f"transcripts/{job['recording_id']}.txt", Body=text.encode())
    table.put_item(Item={"recording_id": job["recording_id"], "status": "done", "chars": len(text)})


def main() -> None:
    queue_url = os.environ["QUEUE_URL"]
    while True:
        response = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=1, WaitTimeSeconds=20)
        for message in response.get("Messages", []):
            handle(message)
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


if __name__ == "__main__":
    main()
