import * as ecs from 'aws-cdk-lib/aws-ecs';
// ruleid: ecs-task-x86
new ecs.FargateTaskDefinition(this, 'Api', { cpu: 1024, memoryLimitMiB: 2048 });
new ecs.FargateTaskDefinition(this, 'Arm', {
  // ok: ecs-task-x86
  runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.ARM64 },
});
