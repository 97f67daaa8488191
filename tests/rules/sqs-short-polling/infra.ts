import * as cdk from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';

export class Workers extends cdk.Stack {
  constructor(scope: cdk.App, id: string) {
    super(scope, id);
    const task0 = new ecs.FargateTaskDefinition(this, 'python', { cpu: 256, memoryLimitMiB: 512 });
    task0.addContainer('python', { image: ecs.ContainerImage.fromAsset('python') });
    const task1 = new ecs.FargateTaskDefinition(this, 'node', { cpu: 256, memoryLimitMiB: 512 });
    task1.addContainer('node', { image: ecs.ContainerImage.fromAsset('node') });
    const task2 = new ecs.FargateTaskDefinition(this, 'go', { cpu: 256, memoryLimitMiB: 512 });
    task2.addContainer('go', { image: ecs.ContainerImage.fromAsset('go') });
  }
}
