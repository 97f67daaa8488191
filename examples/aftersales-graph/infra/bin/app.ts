#!/usr/bin/env node
import * as cdk from 'aws-cdk-lib';
import { ApiStack } from '../lib/api-stack';
import { PipelineStack } from '../../src/infrastructure/pipeline/task';

const app = new cdk.App();
const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: 'us-east-1' };
new PipelineStack(app, 'AftersalesPipeline', { env });
new ApiStack(app, 'AftersalesApi', { env });
