import * as lambda from 'aws-cdk-lib/aws-lambda';
new lambda.Function(this, 'A', {
  runtime: lambda.Runtime.PYTHON_3_12,
  // ruleid: lambda-x86
  architecture: lambda.Architecture.X86_64,
});
new lambda.Function(this, 'B', {
  // ok: lambda-x86
  architecture: lambda.Architecture.ARM_64,
});
// ruleid: lambda-x86
new lambda.Function(this, 'C', { runtime: lambda.Runtime.NODEJS_20_X });
// ok: lambda-x86
new lambda.Function(this, 'D', { architecture: props.arch });
