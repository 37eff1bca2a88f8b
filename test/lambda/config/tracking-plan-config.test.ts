import {
  InvalidConfigError,
  parseRuntimeConfig,
  type RuntimeConfigInput,
} from '../../../lambda/config/runtime-config';
import { runtimeConfigSource } from '../../../lambda/config/runtime-config-source';

const PLAN = {
  events: { 'Order Completed': { type: 'object', required: ['order_id'] } },
  violations: 'flag' as const,
};

const document = (overrides: Partial<RuntimeConfigInput> = {}, plan: unknown = PLAN): RuntimeConfigInput => ({
  sources: [{ id: 'web', writeKeys: ['k'], destinations: ['d'], trackingPlan: plan as never }],
  destinations: [{ id: 'd', streamName: 'events', region: 'eu-west-1', failedStreamName: 'events-failed' }],
  ...overrides,
});

describe('tracking plans in the configuration document', () => {
  it('fills in the defaults of an inline plan: unplanned allow, violations block', () => {
    const config = parseRuntimeConfig(document({}, { events: {} }));

    expect(config.sources[0]?.trackingPlan).toEqual({ events: {}, unplanned: 'allow', violations: 'block' });
    expect(config.destinations[0]?.failedStreamName).toBe('events-failed');
  });

  it('resolves a plan given by name to the one in trackingPlans, shared by the sources that name it', () => {
    const config = parseRuntimeConfig({
      ...document({}, 'orders'),
      sources: [
        { id: 'web', writeKeys: ['k1'], destinations: ['d'], trackingPlan: 'orders' },
        { id: 'app', writeKeys: ['k2'], destinations: ['d'], trackingPlan: 'orders' },
      ],
      trackingPlans: { orders: PLAN },
    });

    expect(config.sources[0]?.trackingPlan).toMatchObject({ violations: 'flag', unplanned: 'allow' });
    expect(config.sources[1]?.trackingPlan).toBe(config.sources[0]?.trackingPlan);
  });

  it('refuses a plan name that no trackingPlans entry has', () => {
    expect(() => parseRuntimeConfig(document({}, 'missing'))).toThrow(
      'sources.0.trackingPlan: no tracking plan is named "missing"; add it to "trackingPlans" or fix the name',
    );
  });

  it('refuses a broken plan at load with a message naming the source and the schema path', () => {
    const broken = {
      events: { 'Order Completed': { type: 'object', properties: { total: { type: 'numbr' } } } },
    };

    expect(() => parseRuntimeConfig(document({}, broken))).toThrow(InvalidConfigError);
    expect(() => parseRuntimeConfig(document({}, broken))).toThrow(
      /sources\.0\.trackingPlan: the tracking plan of source "web" is broken: events\["Order Completed"\]\.properties\.total\.type must be equal/,
    );
  });

  it('refuses an unknown plan action, naming the field', () => {
    expect(() => parseRuntimeConfig(document({}, { events: {}, violations: 'warn' }))).toThrow(
      /sources\.0\.trackingPlan\.violations/,
    );
  });

  it('keeps the last valid configuration when a reloaded document has a broken plan', async () => {
    const store = { value: JSON.stringify(document()) };
    const read = async () => store.value;
    const onInvalid = jest.fn();
    const source = runtimeConfigSource(
      { COLLECTOR_CONFIG_PARAMETER: '/c' },
      { parameter: read, secret: read },
      { onInvalid },
    );
    const first = await source.current();

    store.value = JSON.stringify(document({}, { events: { 'Order Completed': { requird: ['x'] } } }));
    const second = await source.current();

    expect(second).toBe(first);
    expect(onInvalid).toHaveBeenCalledWith(expect.any(InvalidConfigError));
    expect((onInvalid.mock.calls[0] as [Error])[0].message).toContain(
      'the tracking plan of source "web" is broken: events["Order Completed"]: strict mode: unknown keyword: "requird"',
    );
  });
});
