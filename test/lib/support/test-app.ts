import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, type Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Template } from 'aws-cdk-lib/assertions';
import { type AddedStacks, addStacks } from '../../../lib/add-stacks';
import { CONCURRENCY_WARNING_ID } from '../../../lib/collector-stack';
import { type DeployConfig, readDeployConfig } from '../../../lib/config';

/** The repository root (where cdk.json lives). */
export const PROJECT_ROOT = path.join(__dirname, '..', '..', '..');

/** cdk.json's context: `new App()` in jest does not read it, so tests pass it in themselves. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  };
  return cdkJson.context;
}

export interface TestDeployment extends AddedStacks {
  readonly app: App;
  readonly config: DeployConfig;
}

export interface TestAppOptions {
  /**
   * Acknowledge the concurrency warning (`CONCURRENCY_WARNING_ID`) as an owner would with
   * `-c acknowledgeWarnings=concurrency`. A test context with a small `reservedConcurrency` raises
   * it, and aws-cdk-lib prints the validation report with `console.error` on each synth, so
   * unacknowledged it would fill the test's output. Tests of the warning itself turn this off and
   * read it with {@link synthWarnings}. cdk-nag findings are not affected: no nag rule has this id.
   * @default true
   */
  readonly acknowledgeConcurrencyWarning?: boolean;
}

/**
 * Builds the app as `bin/app.ts` does, from cdk.json's context plus `context` (the `-c` flags).
 * Bundling is skipped (`aws:cdk:bundling-stacks: []`) to keep unit tests fast; the CLI synth test
 * bundles for real.
 */
export function buildTestApp(context: Record<string, unknown>, options: TestAppOptions = {}): TestDeployment {
  const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [], ...context } });
  if (options.acknowledgeConcurrencyWarning ?? true) {
    Validations.of(app).acknowledge({
      id: `Annotation::${CONCURRENCY_WARNING_ID}`,
      reason:
        'Test apps synthesize the default stage rate limit without reserved concurrency; the warning has its own tests.',
    });
  }
  const config = readDeployConfig((key) => app.node.tryGetContext(key));
  return { app, config, ...addStacks(app, config) };
}

/**
 * A stack's synth annotations, and the validation report aws-cdk-lib printed for them with
 * `console.error` (what `cdk synth` users see), captured so the test prints nothing.
 */
export function synthWarnings(stack: Stack | undefined): { annotations: Annotations; printed: string } {
  if (stack === undefined) throw new Error('this topology has no such stack');
  const printed: string[] = [];
  const spy = jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    printed.push(args.map(String).join(' '));
  });
  try {
    return { annotations: Annotations.fromStack(stack), printed: printed.join('\n') };
  } finally {
    spy.mockRestore();
  }
}

export function templateOf(stack: AddedStacks[keyof AddedStacks]): Template {
  if (stack === undefined) throw new Error('this topology has no such stack');
  return Template.fromStack(stack);
}
