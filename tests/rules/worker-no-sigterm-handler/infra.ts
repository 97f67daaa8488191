import * as cdk from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';

export class Workers extends cdk.Stack {
  constructor(scope: cdk.App, id: string) {
    super(scope, id);
    const task0 = new ecs.FargateTaskDefinition(this, 'python-handled', { cpu: 256, memoryLimitMiB: 512 });
    task0.addContainer('python-handled', { image: ecs.ContainerImage.fromAsset('python-handled') });
    const task1 = new ecs.FargateTaskDefinition(this, 'python-missing', { cpu: 256, memoryLimitMiB: 512 });
    task1.addContainer('python-missing', { image: ecs.ContainerImage.fromAsset('python-missing') });
    const task2 = new ecs.FargateTaskDefinition(this, 'node-handled', { cpu: 256, memoryLimitMiB: 512 });
    task2.addContainer('node-handled', { image: ecs.ContainerImage.fromAsset('node-handled') });
    const task3 = new ecs.FargateTaskDefinition(this, 'node-missing', { cpu: 256, memoryLimitMiB: 512 });
    task3.addContainer('node-missing', { image: ecs.ContainerImage.fromAsset('node-missing') });
    const task4 = new ecs.FargateTaskDefinition(this, 'go-handled', { cpu: 256, memoryLimitMiB: 512 });
    task4.addContainer('go-handled', { image: ecs.ContainerImage.fromAsset('go-handled') });
    const task5 = new ecs.FargateTaskDefinition(this, 'go-missing', { cpu: 256, memoryLimitMiB: 512 });
    task5.addContainer('go-missing', { image: ecs.ContainerImage.fromAsset('go-missing') });
  }
}
