import { createJsonSchemaCompiler } from '../events/json-schema-compiler';
import { compileTrackingPlan, type TrackingPlan, type TrackingPlanDocument } from '../events/tracking-plan';

const compiled = new WeakMap<TrackingPlanDocument, TrackingPlan>();

/**
 * The compiled form of a plan of the configuration, compiled on first use and kept as long as the
 * configuration holds the plan: configuration load compiles every plan (a broken one refuses the
 * document), so events never pay for it.
 *
 * The JSON Schema validator (Ajv, ~130 KB minified) is loaded on the first plan: configurations
 * without tracking plans never load it (lambda/contract/lazy-modules.ts).
 */
export function compiledTrackingPlan(document: TrackingPlanDocument): TrackingPlan {
  let plan = compiled.get(document);
  if (plan === undefined) {
    plan = compileTrackingPlan(document, createJsonSchemaCompiler());
    compiled.set(document, plan);
  }
  return plan;
}
