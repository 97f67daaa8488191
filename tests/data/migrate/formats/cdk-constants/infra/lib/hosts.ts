import * as cdk from 'aws-cdk-lib';
import { Construct } from 'constructs';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';

const INSTANCE = 'c5.large';

// ECS on EC2 whose hosts' type is a constant: the task and its hosts move together.
export class HostsStack extends cdk.Stack {
  static readonly BASTION = 't3.micro';

  constructor(scope: Construct, id: string, props?: cdk.StackProps) {
    super(scope, id, props);
    const vpc = new ec2.Vpc(this, 'Vpc', { maxAzs: 2 });
    const cluster = new ecs.Cluster(this, 'Cluster', { vpc });

    const asg = new autoscaling.AutoScalingGroup(this, 'Asg', {
      vpc,
      instanceType: new ec2.InstanceType(INSTANCE),
      machineImage: ecs.EcsOptimizedImage.amazonLinux2(),
      desiredCapacity: 3,
    });

    const td = new ecs.Ec2TaskDefinition(this, 'Td');
    td.addContainer('web', {
      image: ecs.ContainerImage.fromRegistry('nginx:1.25'),
      memoryLimitMiB: 512,
    });
    const cp = new ecs.AsgCapacityProvider(this, 'Cp', { autoScalingGroup: asg });
    cluster.addAsgCapacityProvider(cp);
    new ecs.Ec2Service(this, 'Svc', {
      cluster,
      taskDefinition: td,
      desiredCount: 2,
      capacityProviderStrategies: [{ capacityProvider: cp.capacityProviderName, weight: 1 }],
    });

    new ec2.Instance(this, 'Bastion', {
      vpc,
      instanceType: new ec2.InstanceType(HostsStack.BASTION),
      machineImage: ec2.MachineImage.latestAmazonLinux2023(),
    });
  }
}
