/** The configuration cannot be used; the message lists every problem by context key. */
export class InvalidDeployConfigError extends Error {
  override readonly name = 'InvalidDeployConfigError';
  constructor(readonly problems: readonly string[]) {
    super(
      `Invalid CDK context (pass values with -c key=value or in cdk.json; see docs/deploying.md):\n${problems
        .map((problem) => `  - ${problem}`)
        .join('\n')}`,
    );
  }
}
