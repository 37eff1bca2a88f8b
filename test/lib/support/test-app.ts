import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { type AddedStacks, addStacks } from '../../../lib/add-stacks';
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

/**
 * Builds the app as `bin/app.ts` does, from cdk.json's context plus `context` (the `-c` flags).
 * Bundling is skipped (`aws:cdk:bundling-stacks: []`) to keep unit tests fast; the CLI synth test
 * bundles for real.
 */
export function buildTestApp(context: Record<string, string>): TestDeployment {
  const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [], ...context } });
  const config = readDeployConfig((key) => app.node.tryGetContext(key));
  return { app, config, ...addStacks(app, config) };
}

export function templateOf(stack: AddedStacks[keyof AddedStacks]): Template {
  if (stack === undefined) throw new Error('this topology has no such stack');
  return Template.fromStack(stack);
}
