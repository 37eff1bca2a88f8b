import { forkBenchChild } from './child';

/**
 * The benchmark's tracking plan (docs/data-quality.md format): a shop's plan with four planned
 * track events (one of them the benchmark's "Product Viewed" event) and identify traits, about
 * twenty properties in all, with the rules real plans use (required, types, enum, pattern, bounds,
 * a nested array of objects, a `format`).
 */
export const BENCH_TRACKING_PLAN = {
  events: {
    'Product Viewed': {
      type: 'object',
      required: ['product_id', 'price', 'currency'],
      properties: {
        product_id: { type: 'string', minLength: 1 },
        category: { type: 'string' },
        price: { type: 'number', minimum: 0 },
        currency: { type: 'string', pattern: '^[A-Z]{3}$' },
        padding: { type: 'string' },
      },
    },
    'Order Completed': {
      type: 'object',
      required: ['order_id', 'total', 'currency', 'products'],
      properties: {
        order_id: { type: 'string', minLength: 1 },
        total: { type: 'number', minimum: 0 },
        currency: { type: 'string', pattern: '^[A-Z]{3}$' },
        coupon: { type: 'string' },
        products: {
          type: 'array',
          maxItems: 100,
          items: {
            type: 'object',
            required: ['product_id', 'price', 'quantity'],
            properties: {
              product_id: { type: 'string' },
              price: { type: 'number', minimum: 0 },
              quantity: { type: 'integer', minimum: 1 },
            },
          },
        },
      },
    },
    'Signed Up': {
      type: 'object',
      required: ['method'],
      properties: { method: { enum: ['email', 'google', 'apple'] }, plan: { type: 'string' } },
    },
    'Checkout Started': {
      type: 'object',
      required: ['cart_id'],
      properties: { cart_id: { type: 'string' }, value: { type: 'number', minimum: 0 } },
    },
  },
  traits: {
    type: 'object',
    properties: {
      email: { type: 'string', format: 'email' },
      name: { type: 'string' },
      plan: { enum: ['free', 'pro', 'enterprise'] },
    },
  },
  unplanned: 'allow',
  violations: 'block',
} as const;

/** The measured cases, microseconds per event of a 500-event batch. */
export type PlanCaseId =
  | 'no-plan'
  | 'plan-valid'
  | 'plan-flagged'
  | 'plan-blocked'
  | 'check-valid'
  | 'check-violating';

export interface PlanValidationResult {
  readonly batch: number;
  /** Planned track events and properties (with nested ones) of {@link BENCH_TRACKING_PLAN}. */
  readonly plannedEvents: number;
  readonly plannedProperties: number;
  /** Violations each violating event has (a missing required property and a wrong type). */
  readonly violationsPerEvent: number;
  /** Samples of microseconds per event, by case; sample `i` of every case comes from round `i`. */
  readonly microsPerEvent: Readonly<Record<PlanCaseId, number[]>>;
  /** The first configuration load with the plan in a fresh process: loads Ajv, compiles the plan. */
  readonly firstLoadWithPlanMs: number;
  /** The same configuration load without a plan, just before (same process). */
  readonly loadWithoutPlanMs: number;
  /** Compiling the plan again with a fresh compiler (Ajv already loaded), samples in ms. */
  readonly compileMs: readonly number[];
}

/** Counts property schemas under `properties`, nested ones included. */
function countProperties(schema: unknown): number {
  if (typeof schema !== 'object' || schema === null) return 0;
  let count = 0;
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'properties' && typeof value === 'object' && value !== null) {
      count += Object.keys(value).length;
    }
    count += countProperties(value);
  }
  return count;
}

/** The plan's size, as the report states it. */
export function planSize(): { plannedEvents: number; plannedProperties: number } {
  return {
    plannedEvents: Object.keys(BENCH_TRACKING_PLAN.events).length,
    plannedProperties: countProperties(BENCH_TRACKING_PLAN),
  };
}

/** Runs bench/plan-validation-child.ts in a fresh process (no JIT or module state shared). */
export async function measurePlanValidation(): Promise<PlanValidationResult> {
  const child = forkBenchChild('plan-validation-child.ts');
  try {
    const { result } = await child.next<{ result: PlanValidationResult }>('result');
    return result;
  } finally {
    await child.stop();
  }
}
