import * as cdk from 'aws-cdk-lib';
import { HostsStack } from '../lib/hosts';

const app = new cdk.App();
new HostsStack(app, 'Hosts');
