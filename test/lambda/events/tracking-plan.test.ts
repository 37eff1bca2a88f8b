import { createJsonSchemaCompiler } from '../../../lambda/events/json-schema-compiler';
import type { SegmentEvent } from '../../../lambda/events/segment-event';
import {
  compileTrackingPlan,
  type PlanAction,
  type TrackingPlanDocument,
  TrackingPlanError,
} from '../../../lambda/events/tracking-plan';

const ORDER_COMPLETED = {
  type: 'object',
  required: ['order_id'],
  properties: { order_id: { type: 'string' }, revenue: { type: 'number' } },
};

function plan(overrides: Partial<TrackingPlanDocument> = {}) {
  return compileTrackingPlan(
    { events: { 'Order Completed': ORDER_COMPLETED }, unplanned: 'allow', violations: 'block', ...overrides },
    createJsonSchemaCompiler(),
  );
}

const track = (event: string, properties?: Record<string, unknown>): SegmentEvent => ({
  type: 'track',
  userId: 'u1',
  event,
  ...(properties === undefined ? {} : { properties }),
});

describe('compileTrackingPlan', () => {
  it('passes a planned event whose properties match its schema', () => {
    expect(plan().check(track('Order Completed', { order_id: 'o-1', revenue: 9.5 }))).toEqual({
      kind: 'pass',
    });
  });

  it('blocks a planned event missing a required property with a reason naming its path and rule', () => {
    const verdict = plan().check(track('Order Completed', { revenue: 9.5 }));

    expect(verdict).toEqual({
      kind: 'block',
      code: 'plan_violation',
      reason: 'track "Order Completed" violates the tracking plan: properties.order_id is required',
      violations: [
        { path: 'properties.order_id', rule: 'required', message: 'properties.order_id is required' },
      ],
    });
  });

  it('checks an event without properties as if they were an empty object', () => {
    expect(plan().check(track('Order Completed'))).toMatchObject({ kind: 'block' });
  });

  it('lists every violation, nested paths included, when the plan flags them', () => {
    const flagging = plan({
      events: {
        'Order Completed': {
          ...ORDER_COMPLETED,
          properties: {
            ...ORDER_COMPLETED.properties,
            items: { type: 'array', items: { type: 'object', properties: { sku: { type: 'string' } } } },
          },
          additionalProperties: false,
        },
      },
      violations: 'flag',
    });

    const verdict = flagging.check(
      track('Order Completed', { revenue: 'ten', items: [{ sku: 7 }], coupon: 'X' }),
    );

    expect(verdict).toEqual({
      kind: 'flag',
      violations: [
        { path: 'properties.order_id', rule: 'required', message: 'properties.order_id is required' },
        {
          path: 'properties.coupon',
          rule: 'additionalProperties',
          message: 'properties.coupon is not allowed',
        },
        { path: 'properties.revenue', rule: 'type', message: 'properties.revenue must be number' },
        { path: 'properties.items.0.sku', rule: 'type', message: 'properties.items.0.sku must be string' },
      ],
    });
  });

  it('lets violations through untouched when violations is allow', () => {
    expect(plan({ violations: 'allow' }).check(track('Order Completed', {}))).toEqual({ kind: 'pass' });
  });

  it.each<[PlanAction, string]>([
    ['allow', 'pass'],
    ['flag', 'flag'],
    ['block', 'block'],
  ])('treats an unplanned track event as unplanned=%s says (%s)', (unplanned, kind) => {
    const verdict = plan({ unplanned }).check(track('Signed Up'));

    expect(verdict.kind).toBe(kind);
    if (verdict.kind === 'block') {
      expect(verdict).toMatchObject({
        code: 'unplanned_event',
        reason: 'track "Signed Up" violates the tracking plan: event "Signed Up" is not in the tracking plan',
      });
    }
  });

  it('checks identify and group traits against the traits schema and lets page events pass', () => {
    const withTraits = plan({
      traits: { type: 'object', properties: { email: { type: 'string', format: 'email' } } },
    });

    expect(
      withTraits.check({ type: 'identify', userId: 'u1', traits: { email: 'not-an-email' } }),
    ).toMatchObject({
      kind: 'block',
      reason: 'identify violates the tracking plan: traits.email must match format "email"',
    });
    expect(
      withTraits.check({ type: 'group', userId: 'u1', groupId: 'g', traits: { email: 'a@b.co' } }),
    ).toEqual({
      kind: 'pass',
    });
    expect(withTraits.check({ type: 'page', userId: 'u1', properties: { anything: 1 } })).toEqual({
      kind: 'pass',
    });
  });

  it('refuses a schema with a wrong type name, naming the schema path', () => {
    const broken = () =>
      plan({ events: { 'Order Completed': { properties: { total: { type: 'numbr' } } } } });

    expect(broken).toThrow(TrackingPlanError);
    expect(broken).toThrow(
      /^events\["Order Completed"\]\.properties\.total\.type must be equal to one of the allowed values/,
    );
  });

  it('refuses a schema with an unknown keyword instead of ignoring it', () => {
    expect(() => plan({ events: { 'Order Completed': { requird: ['order_id'] } } })).toThrow(
      'events["Order Completed"]: strict mode: unknown keyword: "requird"',
    );
  });
});
