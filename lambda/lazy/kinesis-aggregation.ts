/**
 * Lazy module `kinesis-aggregation` (lambda/contract/lazy-modules.ts): KPL aggregation
 * (aws-kinesis-agg and protobufjs, ~100 KB of the bundle), loaded by the first destination with
 * `aggregate: true`. Its writer reports plain data, so a copy of our code here shares no class
 * or state with `index.js` that matters.
 */
export { AggregatingRecordWriter } from '../delivery/aggregating-record-writer';
