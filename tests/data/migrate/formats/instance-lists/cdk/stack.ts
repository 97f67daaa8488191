import * as cdk from 'aws-cdk-lib';
import { Construct } from 'constructs';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks';

export class Nodes extends cdk.Stack {
  constructor(scope: Construct, id: string, cluster: eks.Cluster) {
    super(scope, id);
    new eks.Nodegroup(this, 'Spot', {
      cluster,
      capacityType: eks.CapacityType.SPOT,
      instanceTypes: [new ec2.InstanceType('m5.large'), new ec2.InstanceType('m5a.large')],
    });
  }
}
