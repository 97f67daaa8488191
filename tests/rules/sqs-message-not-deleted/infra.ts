import * as cdk from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';

export class Workers extends cdk.Stack {
  constructor(scope: cdk.App, id: string) {
    super(scope, id);
    const task0 = new ecs.FargateTaskDefinition(this, 'python-deletes', { cpu: 256, memoryLimitMiB: 512 });
    task0.addContainer('python-deletes', { image: ecs.ContainerImage.fromAsset('python-deletes') });
    const task1 = new ecs.FargateTaskDefinition(this, 'python-forgets', { cpu: 256, memoryLimitMiB: 512 });
    task1.addContainer('python-forgets', { image: ecs.ContainerImage.fromAsset('python-forgets') });
    const task2 = new ecs.FargateTaskDefinition(this, 'node-deletes', { cpu: 256, memoryLimitMiB: 512 });
    task2.addContainer('node-deletes', { image: ecs.ContainerImage.fromAsset('node-deletes') });
    const task3 = new ecs.FargateTaskDefinition(this, 'node-forgets', { cpu: 256, memoryLimitMiB: 512 });
    task3.addContainer('node-forgets', { image: ecs.ContainerImage.fromAsset('node-forgets') });
    const task4 = new ecs.FargateTaskDefinition(this, 'go-deletes', { cpu: 256, memoryLimitMiB: 512 });
    task4.addContainer('go-deletes', { image: ecs.ContainerImage.fromAsset('go-deletes') });
    const task5 = new ecs.FargateTaskDefinition(this, 'go-forgets', { cpu: 256, memoryLimitMiB: 512 });
    task5.addContainer('go-forgets', { image: ecs.ContainerImage.fromAsset('go-forgets') });
  }
}
