import { join } from 'node:path';
import type { LazyModuleName } from '../contract/lazy-modules';
import type * as BotDetector from './bot-detector';
import type * as DeviceParser from './device-parser';
import type * as DynamoDbSeenStore from './dynamodb-seen-store';
import type * as DynamoDbSuppressionList from './dynamodb-suppression-list';
import type * as GeoDatabase from './geo-database';
import type * as KinesisAggregation from './kinesis-aggregation';
import type * as SsmParameterReader from './ssm-parameter-reader';
import type * as TrackingPlanValidator from './tracking-plan-validator';

/** What each lazy module exports. */
export interface LazyModules {
  readonly 'tracking-plan-validator': typeof TrackingPlanValidator;
  readonly 'kinesis-aggregation': typeof KinesisAggregation;
  readonly 'ssm-parameter-reader': typeof SsmParameterReader;
  readonly 'dynamodb-seen-store': typeof DynamoDbSeenStore;
  readonly 'dynamodb-suppression-list': typeof DynamoDbSuppressionList;
  readonly 'bot-detector': typeof BotDetector;
  readonly 'geo-database': typeof GeoDatabase;
  readonly 'device-parser': typeof DeviceParser;
}

/**
 * Loads one of the lazy modules of lambda/contract/lazy-modules.ts, synchronously, once per
 * process (Node's module cache keeps it). The path is `<this file's directory>/<name>`: from the
 * sources that is `lambda/lazy/<name>.ts` (tsx, jest); in the deployed asset, where esbuild put
 * this code into `index.js`, it is the `<name>.js` bundled next to it. The path is computed, so
 * esbuild leaves this `require` alone instead of bundling the module into `index.js`.
 *
 * A missing file throws at once (`MODULE_NOT_FOUND`): an asset built without its lazy modules
 * fails on the first request that needs one, loudly, and the deployed-bundle test covers each.
 */
export function loadLazyModule<Name extends LazyModuleName>(name: Name): LazyModules[Name] {
  return require(join(__dirname, name)) as LazyModules[Name];
}
