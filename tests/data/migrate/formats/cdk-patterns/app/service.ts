import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as ecs_patterns from 'aws-cdk-lib/aws-ecs-patterns';
import { Construct } from 'constructs';

export class Web extends Construct {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new ecs_patterns.ApplicationLoadBalancedFargateService(this, 'Web', {
      cpu: 512,
      taskImageOptions: {
        image: ecs.ContainerImage.fromAsset('app/web'),
        containerPort: 8080,
      },
    });
  }
}
