import * as cdk from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';

export class Workers extends cdk.Stack {
  constructor(scope: cdk.App, id: string) {
    super(scope, id);
    const task0 = new ecs.FargateTaskDefinition(this, 'python-heartbeat', { cpu: 256, memoryLimitMiB: 512 });
    task0.addContainer('python-heartbeat', { image: ecs.ContainerImage.fromAsset('python-heartbeat') });
    const task1 = new ecs.FargateTaskDefinition(this, 'python-none', { cpu: 256, memoryLimitMiB: 512 });
    task1.addContainer('python-none', { image: ecs.ContainerImage.fromAsset('python-none') });
    const task2 = new ecs.FargateTaskDefinition(this, 'node-heartbeat', { cpu: 256, memoryLimitMiB: 512 });
    task2.addContainer('node-heartbeat', { image: ecs.ContainerImage.fromAsset('node-heartbeat') });
    const task3 = new ecs.FargateTaskDefinition(this, 'node-none', { cpu: 256, memoryLimitMiB: 512 });
    task3.addContainer('node-none', { image: ecs.ContainerImage.fromAsset('node-none') });
    const task4 = new ecs.FargateTaskDefinition(this, 'go-heartbeat', { cpu: 256, memoryLimitMiB: 512 });
    task4.addContainer('go-heartbeat', { image: ecs.ContainerImage.fromAsset('go-heartbeat') });
    const task5 = new ecs.FargateTaskDefinition(this, 'go-none', { cpu: 256, memoryLimitMiB: 512 });
    task5.addContainer('go-none', { image: ecs.ContainerImage.fromAsset('go-none') });
  }
}
