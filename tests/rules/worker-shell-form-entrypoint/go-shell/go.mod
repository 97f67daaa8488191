module example.com/worker

go 1.22

require github.com/aws/aws-sdk-go-v2/service/sqs v1.34.0
