import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr_assets from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Construct } from 'constructs';

export interface EcsServiceProps {
  readonly vpc: ec2.IVpc;
  readonly memory?: number;
}

export class EcsService extends Construct {
  constructor(scope: Construct, id: string, props: EcsServiceProps) {
    super(scope, id);
    const memory = props.memory ?? 2048;
    const cluster = new ecs.Cluster(this, 'Cluster', { vpc: props.vpc, enableFargateCapacityProviders: true });

    const taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      cpu: 1024,
      memoryLimitMiB: memory,
      runtimePlatform: {
        cpuArchitecture: ecs.CpuArchitecture.ARM64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
    });

    // Container image with platform targeting
    const containerImage = ecs.ContainerImage.fromAsset('../', {
      file: 'Dockerfile.graviton',
      platform: ecr_assets.Platform.LINUX_ARM64,
    });
    taskDefinition.addContainer('web', {
      image: containerImage,
      environment: {
        NODE_OPTIONS: `--max-old-space-size=${Math.floor(memory * 0.7)}`,
        UV_THREADPOOL_SIZE: '8',
      },
      portMappings: [{ containerPort: 3000 }],
    });

    new ecs.FargateService(this, 'Service', {
      cluster,
      taskDefinition,
      desiredCount: 2,
      capacityProviderStrategies: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }],
    });
  }
}
