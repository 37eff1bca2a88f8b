#!/usr/bin/env node
/**
 * The CDK app. The only place that reads CDK context: it builds the typed deploy config, adds the
 * stacks of the chosen topology, and runs the cdk-nag AwsSolutions checks on every synth.
 * Context keys and topologies: docs/deploying.md.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { addStacks } from '../lib/add-stacks';
import {
  InvalidDeployConfigError,
  knownContextKeys,
  readDeployConfig,
  unknownContextKeys,
} from '../lib/config';

const app = new App();
for (const { key, closest } of unknownContextKeys(
  Object.keys(app.node.getAllContext()),
  knownContextKeys(),
)) {
  console.warn(
    `Warning: the context key "${key}" is not one this app reads, so it is ignored; did you mean "${closest}"? (every key: docs/deploying.md#context-keys)`,
  );
}
try {
  addStacks(
    app,
    // The CLI's deploy region, when it knows one: a certificate must be in it.
    readDeployConfig((key) => app.node.tryGetContext(key), { region: process.env.CDK_DEFAULT_REGION }),
  );
} catch (error) {
  if (!(error instanceof InvalidDeployConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
