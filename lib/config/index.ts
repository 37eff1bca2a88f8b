/**
 * The deploy-time configuration of the CDK app: its types, its defaults and its validation.
 *
 * Every value comes from CDK context (`-c key=value` or `cdk.json`), read by `bin/app.ts` only and
 * handed to {@link readDeployConfig} as a lookup function, so this folder stays pure and testable.
 *
 * - `deploy-config.ts`: the types the stacks receive;
 * - `construct-defaults.ts`: every construct default, the one place they are written;
 * - `context-keys.ts`: the context keys, with their defaults;
 * - `context-patterns.ts`: what a valid value looks like, and how to fix one;
 * - `context-reader.ts`: typed reads that collect every problem;
 * - `read-*-config.ts`: the keys of the stream stack, the collector stack and the alarms;
 * - `read-collector-document.ts`: the configuration document of `collectorConfig`, validated by the
 *   Lambda's own schema module (the one module of `lambda/` besides `lambda/contract/` synth loads);
 * - `read-deploy-config.ts`: the entry point, and which stacks (topology) the keys ask for;
 * - `unknown-context-keys.ts`: context keys nobody reads, each with the closest known one;
 * - `app-context.ts`: `bin/app.ts`'s own keys (unknown keys allowed, warnings acknowledged).
 */
export * from './app-context';
export * from './construct-defaults';
export * from './context-keys';
export * from './context-patterns';
export type { ContextLookup } from './context-reader';
export * from './deploy-config';
export * from './invalid-deploy-config-error';
export { KEYS_THE_DOCUMENT_REPLACES, MAX_DOCUMENT_BYTES } from './read-collector-document';
export { readDeployConfig } from './read-deploy-config';
export * from './unknown-context-keys';
