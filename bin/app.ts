#!/usr/bin/env node
/**
 * The CDK app. The only place that reads CDK context: it builds the typed deploy config, adds the
 * stacks of the chosen topology, and runs the cdk-nag AwsSolutions checks on every synth.
 * Context keys and topologies: docs/deploying.md.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { addStacks } from '../lib/add-stacks';
import { InvalidDeployConfigError, readDeployConfig } from '../lib/config';

const app = new App();
try {
  addStacks(
    app,
    readDeployConfig((key) => app.node.tryGetContext(key)),
  );
} catch (error) {
  if (!(error instanceof InvalidDeployConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
