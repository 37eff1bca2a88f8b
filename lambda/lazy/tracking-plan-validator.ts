/**
 * Lazy module `tracking-plan-validator` (lambda/contract/lazy-modules.ts): the JSON Schema
 * validator tracking plans are compiled with, ~130 KB of the bundle that only configurations with
 * a tracking plan load. Vendor code only: the compiler that wraps it (and its `TrackingPlanError`)
 * stays in `index.js`, so `instanceof` checks see one class.
 */
export { default as Ajv } from 'ajv';
export { default as addFormats } from 'ajv-formats';
