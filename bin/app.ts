#!/usr/bin/env node
/**
 * The CDK app. The only place that reads CDK context: it builds the typed deploy config, adds the
 * stacks of the chosen topology, and runs the cdk-nag AwsSolutions checks on every synth.
 * Context keys and topologies: docs/deploying.md.
 *
 * An unknown context key fails the synth (exit 1) with the closest known key, so a misspelled
 * `-c domainname=...` never deploys without its domain; `-c allowUnknownContext=true` turns that
 * into a warning. `-c acknowledgeWarnings=concurrency,throttling-quota` acknowledges this app's
 * synth warnings (docs/deploying.md#limits-checked-at-synth).
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { addStacks } from '../lib/add-stacks';
import {
  APP_CONTEXT_KEYS,
  InvalidDeployConfigError,
  knownContextKeys,
  readAppContext,
  readDeployConfig,
  unknownContextKeys,
} from '../lib/config';

const app = new App();
try {
  const lookup = (key: string) => app.node.tryGetContext(key);
  const { allowUnknownContext, acknowledgedWarnings } = readAppContext(lookup);
  const unknown = unknownContextKeys(Object.keys(app.node.getAllContext()), [
    ...knownContextKeys(),
    ...APP_CONTEXT_KEYS,
  ]);
  for (const { key, closest } of unknown) {
    const problem = `the context key "${key}" is not one this app reads; did you mean "${closest}"? (every key: docs/deploying.md#context-keys)`;
    if (allowUnknownContext) console.warn(`Warning: ${problem}; it is ignored (allowUnknownContext=true).`);
    else console.error(`Error: ${problem}`);
  }
  if (unknown.length > 0 && !allowUnknownContext) {
    console.error(
      'Synth stopped: fix the key, or pass -c allowUnknownContext=true to ignore keys this app does not read.',
    );
    process.exit(1);
  }
  addStacks(
    app,
    // The CLI's deploy region, when it knows one: a certificate must be in it.
    readDeployConfig(lookup, { region: process.env.CDK_DEFAULT_REGION }),
  );
  for (const id of acknowledgedWarnings) {
    Validations.of(app).acknowledge({ id, reason: 'acknowledged with -c acknowledgeWarnings' });
  }
} catch (error) {
  if (!(error instanceof InvalidDeployConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
