import { Stack } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { LAMBDA_ENVIRONMENT_LIMIT_BYTES } from '../../lib/config/aws-limits';
import { lambdaEnvironmentSize } from '../../lib/lambda-environment-size';
import { UNKNOWN_VALUE_LENGTH } from '../../lib/worst-case-value';
import { buildTestApp } from './support/test-app';

/** `count` distinct origins of a realistic length (39 characters each). */
const origins = (count: number) =>
  Array.from(
    { length: count },
    (_, i) => `https://www.shop-${String(i).padStart(3, '0')}.example-retail.com`,
  ).join(',');

/** The collector function's environment size as the check computes it, for a context. */
function collectorEnvironmentSize(context: Record<string, string>): number {
  const { collectorStack } = buildTestApp(context);
  if (collectorStack === undefined) throw new Error('no collector stack');
  const fn = collectorStack.side.collector.function;
  const cfn = fn.node.defaultChild as lambda.CfnFunction;
  const { variables } = Stack.of(fn).resolve(cfn.environment) as { variables: Record<string, unknown> };
  return lambdaEnvironmentSize(variables);
}

describe("the Lambda environment's 4 KB limit, checked at synth", () => {
  it('counts the JSON of names and values, with each reference at its longest', () => {
    const size = lambdaEnvironmentSize({ A: 'é', B: { Ref: 'Queue' }, C: { Ref: 'AWS::Partition' } });

    expect(size).toBe(
      Buffer.byteLength(`{"A":"é","B":"${'x'.repeat(UNKNOWN_VALUE_LENGTH)}","C":"aws-us-gov"}`),
    );
  });

  it('leaves the default deployment more than half of the limit', () => {
    expect(collectorEnvironmentSize({ externalIds: 'env-size-check' })).toBeLessThan(
      LAMBDA_ENVIRONMENT_LIMIT_BYTES / 2,
    );
  });

  it('lets 40 allowed origins through', () => {
    expect(
      collectorEnvironmentSize({ externalIds: 'env-size-check', allowedOrigins: origins(40) }),
    ).toBeLessThanOrEqual(LAMBDA_ENVIRONMENT_LIMIT_BYTES);
  });

  it('fails the synth of 75 allowed origins with a message naming the 4 KB limit and the fix', () => {
    const { app } = buildTestApp({ externalIds: 'env-size-check', allowedOrigins: origins(75) });

    expect(() => app.synth()).toThrow(
      /over Lambda's limit of 4 KB \(4096 bytes of names and values\)[\s\S]*75 here\): list fewer in allowedOrigins/,
    );
  });
});
