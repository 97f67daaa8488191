package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

func handle(m types.Message) { fmt.Println(*m.Body) }

func run(ctx context.Context, client *sqs.Client, queueURL string) {
	for ctx.Err() == nil {
		// ruleid: sqs-no-visibility-heartbeat
		out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(queueURL), WaitTimeSeconds: 20})
		if err != nil {
			continue
		}
		for _, message := range out.Messages {
			handle(message)
			client.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(queueURL), ReceiptHandle: message.ReceiptHandle})
		}
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		panic(err)
	}
	client := sqs.NewFromConfig(cfg)
	run(ctx, client, os.Getenv("QUEUE_URL"))
}
