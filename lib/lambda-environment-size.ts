import { Stack } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { IValidation } from 'constructs';
import { LAMBDA_ENVIRONMENT_LIMIT_BYTES } from './config/aws-limits';
import { worstCaseValue } from './worst-case-value';

/**
 * The size Lambda counts for a function's environment: the bytes of the JSON of its variables
 * (names and values), for variables as `Stack.resolve` returns them, tokens at their longest
 * (lib/worst-case-value.ts), so a set that fits here also fits once deployed.
 */
export function lambdaEnvironmentSize(resolvedVariables: Readonly<Record<string, unknown>>): number {
  return Buffer.byteLength(JSON.stringify(worstCaseValue(resolvedVariables)), 'utf8');
}

/**
 * Fails `cdk synth` when a function's environment cannot fit Lambda's 4 KB, which otherwise fails
 * the deploy and rolls it back. `fix` says what the operator can change to make it fit.
 */
export class LambdaEnvironmentSizeValidation implements IValidation {
  constructor(
    private readonly fn: lambda.Function,
    private readonly fix: string,
  ) {}

  validate(): string[] {
    const cfn = this.fn.node.defaultChild as lambda.CfnFunction;
    const environment = Stack.of(this.fn).resolve(cfn.environment) as
      | { readonly variables?: Record<string, unknown> }
      | undefined;
    const size = lambdaEnvironmentSize(environment?.variables ?? {});
    if (size <= LAMBDA_ENVIRONMENT_LIMIT_BYTES) return [];
    return [
      `The function's environment variables take up to ${size} bytes, over Lambda's limit of 4 KB (${LAMBDA_ENVIRONMENT_LIMIT_BYTES} bytes of names and values), so the deploy would fail and roll back; ${this.fix}.`,
    ];
  }
}
