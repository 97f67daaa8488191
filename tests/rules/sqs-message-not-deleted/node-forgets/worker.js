import { SQSClient, ReceiveMessageCommand, DeleteMessageCommand, ChangeMessageVisibilityCommand } from '@aws-sdk/client-sqs';

const client = new SQSClient({});
const QUEUE_URL = process.env.QUEUE_URL;
let running = true;

async function handle(message) {
  console.log(message.Body);
}

process.on('SIGTERM', () => {
  running = false;
});

async function main() {
  while (running) {
    // ruleid: sqs-message-not-deleted
    const { Messages = [] } = await client.send(new ReceiveMessageCommand({ QueueUrl: QUEUE_URL, WaitTimeSeconds: 20 }));
    for (const message of Messages) {
      await handle(message);
    }
  }
}

await main();
