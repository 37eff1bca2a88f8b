import type { SegmentEvent } from './segment-event';

/** What a tracking plan does with an event it does not like: nothing, a note, or a refusal. */
export type PlanAction = 'allow' | 'flag' | 'block';

/**
 * A source's tracking plan as written in the configuration document (`sources[].trackingPlan`,
 * docs/data-quality.md): the JSON Schema of each planned track event's `properties`, optionally of
 * identify/group `traits`, and what to do with unplanned events and with violations.
 */
export interface TrackingPlanDocument {
  readonly events: Readonly<Record<string, unknown>>;
  readonly traits?: unknown;
  readonly unplanned: PlanAction;
  readonly violations: PlanAction;
}

/**
 * One way an event breaks its plan: the dotted path of the offending value in the event
 * (`properties.order_id`), the JSON Schema rule (`required`, `type`, ... or `unplanned`), and a
 * sentence naming both (`properties.order_id is required`). Written as the envelope's `violations`.
 */
export interface Violation {
  readonly path: string;
  readonly rule: string;
  readonly message: string;
}

/** Checks a value against one compiled schema: its violations, none when it passes. */
export type SchemaCheck = (value: unknown, root: string) => readonly Violation[];

/**
 * Compiles one JSON Schema, once, at configuration load. Throws `TrackingPlanError` naming the
 * schema path (relative to `where`) when the schema itself is broken.
 */
export type SchemaCompiler = (schema: unknown, where: string) => SchemaCheck;

/** A tracking plan cannot be used as written; the message names the schema path and the problem. */
export class TrackingPlanError extends Error {
  override readonly name = 'TrackingPlanError';
  constructor(
    /** Where in the plan, e.g. `events["Order Completed"].properties.total.type`. */
    readonly path: string,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
  }
}

/** What the plan says about one event. */
export type PlanVerdict =
  /** Planned and valid, or the plan lets it through untouched (`allow`). */
  | { readonly kind: 'pass' }
  /** Written, with its violations in the envelope's `violations`. */
  | { readonly kind: 'flag'; readonly violations: readonly Violation[] }
  /** Not written to the main stream: refused with `reason`, kept in the failed-events stream. */
  | {
      readonly kind: 'block';
      /** `plan_violation` or `unplanned_event`, for metrics. */
      readonly code: 'plan_violation' | 'unplanned_event';
      readonly reason: string;
      readonly violations: readonly Violation[];
    };

/** A tracking plan compiled for checking events: one call per valid event. */
export interface TrackingPlan {
  check(event: SegmentEvent): PlanVerdict;
}

const PASS: PlanVerdict = { kind: 'pass' };
const EMPTY: Readonly<Record<string, never>> = Object.freeze({});

function verdict(
  action: PlanAction,
  code: 'plan_violation' | 'unplanned_event',
  what: string,
  violations: readonly Violation[],
): PlanVerdict {
  if (violations.length === 0 || action === 'allow') return PASS;
  if (action === 'flag') return { kind: 'flag', violations };
  const reason = `${what} violates the tracking plan: ${violations.map((v) => v.message).join('; ')}`;
  return { kind: 'block', code, reason, violations };
}

/**
 * Compiles a plan with `compile` (every schema once, so a broken one fails here, at configuration
 * load, never on an event). The checks: a track event's `properties` against its event's schema
 * (`unplanned` decides for names not in the plan); identify and group `traits` against `traits`;
 * page, screen and alias events pass.
 */
export function compileTrackingPlan(document: TrackingPlanDocument, compile: SchemaCompiler): TrackingPlan {
  const events = new Map<string, SchemaCheck>();
  for (const [name, schema] of Object.entries(document.events)) {
    events.set(name, compile(schema, `events[${JSON.stringify(name)}]`));
  }
  const traits = document.traits === undefined ? undefined : compile(document.traits, 'traits');
  return {
    check(event) {
      if (event.type === 'track') {
        const name = event.event ?? '';
        const schema = events.get(name);
        const what = `track ${JSON.stringify(name)}`;
        if (schema === undefined) {
          return verdict(document.unplanned, 'unplanned_event', what, [
            {
              path: 'event',
              rule: 'unplanned',
              message: `event ${JSON.stringify(name)} is not in the tracking plan`,
            },
          ]);
        }
        return verdict(
          document.violations,
          'plan_violation',
          what,
          schema(event.properties ?? EMPTY, 'properties'),
        );
      }
      if ((event.type === 'identify' || event.type === 'group') && traits !== undefined) {
        return verdict(
          document.violations,
          'plan_violation',
          event.type,
          traits(event.traits ?? EMPTY, 'traits'),
        );
      }
      return PASS;
    },
  };
}
