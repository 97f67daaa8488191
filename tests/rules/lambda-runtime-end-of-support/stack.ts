import * as lambda from "aws-cdk-lib/aws-lambda";
import { Stack } from "aws-cdk-lib";

export class S extends Stack {
  constructor(scope: any, id: string) {
    super(scope, id);
    new lambda.Function(this, "Ts", {
      // ruleid: lambda-runtime-end-of-support
      runtime: lambda.Runtime.PYTHON_3_9,
      architecture: lambda.Architecture.ARM_64,
      handler: "index.handler",
      code: lambda.Code.fromInline("x"),
    });
  }
}
