import * as cdk from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';

export class ApiStack extends cdk.Stack {
  constructor(scope: Construct, id: string, props?: cdk.StackProps) {
    super(scope, id, props);

    const vpc = ec2.Vpc.fromLookup(this, 'Vpc', { isDefault: false, vpcName: 'aftersales' });
    const cluster = new ecs.Cluster(this, 'ApiCluster', { vpc });

    // API service: Python 3.11 backend + Node 20 front end, 2 vCPU / 4 GB, 24/7.
    const apiTask = new ecs.FargateTaskDefinition(this, 'ApiTask', {
      cpu: 2048,
      memoryLimitMiB: 4096,
    });
    apiTask.addContainer('api', {
      image: ecs.ContainerImage.fromAsset('services/api'),
      portMappings: [{ containerPort: 8000 }],
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'api' }),
    });

    const service = new ecs.FargateService(this, 'ApiService', {
      cluster,
      taskDefinition: apiTask,
      desiredCount: 1,
    });

    const alb = new elbv2.ApplicationLoadBalancer(this, 'ApiAlb', { vpc, internetFacing: true });
    const listener = alb.addListener('Http', { port: 80 });
    listener.addTargets('Api', { port: 8000, targets: [service] });
  }
}
