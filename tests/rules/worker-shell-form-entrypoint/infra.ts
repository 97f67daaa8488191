import * as cdk from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';

export class Workers extends cdk.Stack {
  constructor(scope: cdk.App, id: string) {
    super(scope, id);
    const task0 = new ecs.FargateTaskDefinition(this, 'python-shell', { cpu: 256, memoryLimitMiB: 512 });
    task0.addContainer('python-shell', { image: ecs.ContainerImage.fromAsset('python-shell') });
    const task1 = new ecs.FargateTaskDefinition(this, 'python-exec', { cpu: 256, memoryLimitMiB: 512 });
    task1.addContainer('python-exec', { image: ecs.ContainerImage.fromAsset('python-exec') });
    const task2 = new ecs.FargateTaskDefinition(this, 'node-shell', { cpu: 256, memoryLimitMiB: 512 });
    task2.addContainer('node-shell', { image: ecs.ContainerImage.fromAsset('node-shell') });
    const task3 = new ecs.FargateTaskDefinition(this, 'node-exec', { cpu: 256, memoryLimitMiB: 512 });
    task3.addContainer('node-exec', { image: ecs.ContainerImage.fromAsset('node-exec') });
    const task4 = new ecs.FargateTaskDefinition(this, 'go-shell', { cpu: 256, memoryLimitMiB: 512 });
    task4.addContainer('go-shell', { image: ecs.ContainerImage.fromAsset('go-shell') });
    const task5 = new ecs.FargateTaskDefinition(this, 'go-exec', { cpu: 256, memoryLimitMiB: 512 });
    task5.addContainer('go-exec', { image: ecs.ContainerImage.fromAsset('go-exec') });
    const task6 = new ecs.FargateTaskDefinition(this, 'python-script', { cpu: 256, memoryLimitMiB: 512 });
    task6.addContainer('python-script', { image: ecs.ContainerImage.fromAsset('python-script') });
    const task7 = new ecs.FargateTaskDefinition(this, 'python-script-exec', { cpu: 256, memoryLimitMiB: 512 });
    task7.addContainer('python-script-exec', { image: ecs.ContainerImage.fromAsset('python-script-exec') });
  }
}
