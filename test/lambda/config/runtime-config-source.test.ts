import { InvalidConfigError, type RuntimeConfigInput } from '../../../lambda/config/runtime-config';
import { ConfigUnavailableError, runtimeConfigSource } from '../../../lambda/config/runtime-config-source';

const DOCUMENT: RuntimeConfigInput = {
  sources: [{ id: 'web', writeKeys: ['web-key'], destinations: ['warehouse'] }],
  destinations: [{ id: 'warehouse', streamName: 'events', region: 'eu-west-1' }],
};

function storeHolding(initial: unknown) {
  const store = { value: initial as unknown, fail: false, reads: [] as [string, number][] };
  const read = async (name: string, maxAge: number) => {
    store.reads.push([name, maxAge]);
    if (store.fail) throw new Error('throttled');
    return store.value;
  };
  return { store, stores: { parameter: read, secret: read } };
}

describe('runtimeConfigSource', () => {
  it('reads the SSM parameter with the configured max age and keeps the config while the text is unchanged', async () => {
    const { store, stores } = storeHolding(JSON.stringify(DOCUMENT));
    const source = runtimeConfigSource(
      { COLLECTOR_CONFIG_PARAMETER: '/collector/config', COLLECTOR_CONFIG_MAX_AGE_SECONDS: '60' },
      stores,
    );

    const first = await source.current();
    const second = await source.current();

    expect(second).toBe(first);
    expect(store.reads).toEqual([
      ['/collector/config', 60],
      ['/collector/config', 60],
    ]);
    expect(source.origin).toBe('SSM parameter /collector/config');
  });

  it('switches to a changed document and keeps the last valid one when the next is invalid', async () => {
    const { store, stores } = storeHolding(JSON.stringify(DOCUMENT));
    const onInvalid = jest.fn();
    const source = runtimeConfigSource({ COLLECTOR_CONFIG_SECRET_ARN: 'arn:secret' }, stores, { onInvalid });
    await source.current();

    store.value = JSON.stringify({ ...DOCUMENT, delivery: { retryAfterSeconds: 9 } });
    const changed = await source.current();
    store.value = JSON.stringify({ ...DOCUMENT, destinations: [{ id: 'warehouse', region: 'eu-west-1' }] });
    const afterInvalid = await source.current();
    await source.current();

    expect(changed.delivery.retryAfterSeconds).toBe(9);
    expect(afterInvalid).toBe(changed);
    expect(onInvalid).toHaveBeenCalledTimes(1);
    expect(String(onInvalid.mock.calls[0]?.[0])).toContain('destinations.0.streamName');
  });

  it('fails naming the bad field when the first document is invalid', async () => {
    const { stores } = storeHolding(JSON.stringify({ ...DOCUMENT, sources: [] }));
    const source = runtimeConfigSource({ COLLECTOR_CONFIG_PARAMETER: '/c' }, stores);

    await expect(source.current()).rejects.toThrow(InvalidConfigError);
    await expect(source.current()).rejects.toThrow(/sources/);
  });

  it('keeps serving the last document while the store cannot be read, but cannot start without one', async () => {
    const { store, stores } = storeHolding(JSON.stringify(DOCUMENT));
    const onUnavailable = jest.fn();
    const source = runtimeConfigSource({ COLLECTOR_CONFIG_PARAMETER: '/c' }, stores, { onUnavailable });
    const first = await source.current();
    store.fail = true;

    expect(await source.current()).toBe(first);
    expect(onUnavailable).toHaveBeenCalledTimes(1);
    const cold = runtimeConfigSource({ COLLECTOR_CONFIG_PARAMETER: '/c' }, stores);
    await expect(cold.current()).rejects.toThrow(ConfigUnavailableError);
  });

  it('refuses two configuration sources at once, naming both', () => {
    const { stores } = storeHolding('{}');
    expect(() =>
      runtimeConfigSource(
        { COLLECTOR_CONFIG_PARAMETER: '/c', COLLECTOR_CONFIG: JSON.stringify(DOCUMENT) },
        stores,
      ),
    ).toThrow('Set one configuration source, not COLLECTOR_CONFIG_PARAMETER and COLLECTOR_CONFIG');
  });

  it('still validates COLLECTOR_CONFIG at once, without touching any store', async () => {
    const { store, stores } = storeHolding(undefined);
    const source = runtimeConfigSource({ COLLECTOR_CONFIG: JSON.stringify(DOCUMENT) }, stores);

    expect((await source.current()).destinations[0]?.id).toBe('warehouse');
    expect(store.reads).toEqual([]);
    expect(() => runtimeConfigSource({ COLLECTOR_CONFIG: '{"sources":[]}' }, stores)).toThrow(
      InvalidConfigError,
    );
  });
});
