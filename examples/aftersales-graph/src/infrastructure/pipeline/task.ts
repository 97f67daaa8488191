import * as cdk from 'aws-cdk-lib';
import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

const PROCESSOR_CPU = 16384;
const PROCESSOR_MEMORY = 61440;

export class PipelineStack extends cdk.Stack {
  constructor(scope: Construct, id: string, props?: cdk.StackProps) {
    super(scope, id, props);

    const vpc = ec2.Vpc.fromLookup(this, 'Vpc', { isDefault: false, vpcName: 'aftersales' });
    const cluster = new ecs.Cluster(this, 'PipelineCluster', { vpc });
    const queue = new sqs.Queue(this, 'DocumentQueue', { visibilityTimeout: Duration.minutes(15) });

    // Splits uploaded documents into pages and queues them for processing.
    const splitter = new lambda.Function(this, 'SplitterFunction', {
      runtime: lambda.Runtime.PYTHON_3_13,
      handler: 'handler.main',
      code: lambda.Code.fromAsset('src/infrastructure/pipeline/lambdas/splitter'),
      memorySize: 1024,
      timeout: Duration.minutes(5),
      architecture: lambda.Architecture.X86_64,
      environment: { QUEUE_URL: queue.queueUrl },
    });
    queue.grantSendMessages(splitter);

    // Document processor: docling + CPU-only PyTorch, batch work.
    const processorTask = new ecs.FargateTaskDefinition(this, 'ProcessorTask', {
      cpu: PROCESSOR_CPU,
      memoryLimitMiB: PROCESSOR_MEMORY,
    });
    processorTask.addContainer('processor', {
      image: ecs.ContainerImage.fromAsset('src/infrastructure/pipeline/processor'),
      environment: { QUEUE_URL: queue.queueUrl },
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'processor' }),
    });

    // Ingestion task: loads processed documents into the graph.
    const ingestionTask = new ecs.FargateTaskDefinition(this, 'IngestionTask', {
      cpu: 4096,
      memoryLimitMiB: 16384,
    });
    ingestionTask.addContainer('ingestion', {
      image: ecs.ContainerImage.fromAsset('src/infrastructure/pipeline/processor'),
      command: ['python', '-m', 'ingest'],
    });

    const deletionTask = new ecs.FargateTaskDefinition(this, 'DeletionTask', {
      cpu: 512,
      memoryLimitMiB: 1024,
    });
    deletionTask.addContainer('deletion', {
      image: ecs.ContainerImage.fromAsset('src/infrastructure/pipeline/processor'),
      command: ['python', '-m', 'delete'],
    });

    const splitTask = new ecs.FargateTaskDefinition(this, 'SplitTask', {
      cpu: 1024,
      memoryLimitMiB: 2048,
    });
    splitTask.addContainer('split', {
      image: ecs.ContainerImage.fromAsset('src/infrastructure/pipeline/processor'),
      command: ['python', '-m', 'split'],
    });

    // Notifies the API when a document has been processed.
    const notifier = new lambda.Function(this, 'NotifierFunction', {
      runtime: lambda.Runtime.PYTHON_3_13,
      handler: 'handler.main',
      code: lambda.Code.fromAsset('src/infrastructure/pipeline/lambdas/notifier'),
      memorySize: 256,
      timeout: Duration.seconds(30),
      architecture: lambda.Architecture.X86_64,
    });

    new cdk.CfnOutput(this, 'ClusterName', { value: cluster.clusterName });
    new cdk.CfnOutput(this, 'NotifierArn', { value: notifier.functionArn });
  }
}
