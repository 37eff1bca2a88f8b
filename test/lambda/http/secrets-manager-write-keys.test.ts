import type { RuntimeSource } from '../../../lambda/config/runtime-config';
import { HttpError } from '../../../lambda/http/http-error';
import {
  SecretsManagerWriteKeys,
  WriteKeysUnavailableError,
} from '../../../lambda/http/secrets-manager-write-keys';

const source = (id: string, writeKeys?: string[]): RuntimeSource => ({
  id,
  destinations: ['main'],
  partitionKey: 'user',
  pipeline: { honourIntegrations: true, integrationName: 'Amazon Kinesis', recordFormat: 'envelope' },
  ...(writeKeys === undefined ? {} : { writeKeys }),
});

const webShop = source('web-shop');
const backend = source('backend');
const legacy = source('legacy', ['wk_legacy_config']);

/**
 * A stand-in for the Powertools `getSecret` call: returns the current value, which tests change
 * to simulate a rotation; the same object while it is unchanged, as a TTL cache does.
 */
function fakeSecret(initial: unknown) {
  const state = { value: initial, fetches: 0, failure: undefined as Error | undefined };
  const fetchSecret = async () => {
    state.fetches += 1;
    if (state.failure) throw state.failure;
    return state.value;
  };
  return { state, fetchSecret };
}

describe('SecretsManagerWriteKeys', () => {
  it('finds the source of a key listed in an array', async () => {
    // Prepare
    const { fetchSecret } = fakeSecret({ 'web-shop': ['wk_browser_probe', 'wk_browser_next'] });
    const keys = new SecretsManagerWriteKeys([webShop, backend], fetchSecret, { retryAfterSeconds: 2 });

    // Act
    const owners = [await keys.sourceOf('wk_browser_probe'), await keys.sourceOf('wk_browser_next')];

    // Assess
    expect(owners).toEqual([webShop, webShop]);
  });

  it('finds the source of a key given as a single string', async () => {
    // Prepare
    const { fetchSecret } = fakeSecret({ backend: 'wk_node_probe' });
    const keys = new SecretsManagerWriteKeys([webShop, backend], fetchSecret, { retryAfterSeconds: 2 });

    // Act
    const owner = await keys.sourceOf('wk_node_probe');

    // Assess
    expect(owner).toBe(backend);
  });

  it('finds no source for a key that is not in the secret', async () => {
    // Prepare
    const { fetchSecret } = fakeSecret({ backend: 'wk_node_probe' });
    const keys = new SecretsManagerWriteKeys([webShop, backend], fetchSecret, { retryAfterSeconds: 2 });

    // Act
    const owner = await keys.sourceOf('wk_guess');

    // Assess
    expect(owner).toBeUndefined();
  });

  it('ignores the keys of a source the configuration does not have and reports its id', async () => {
    // Prepare
    const unknown: string[] = [];
    const { fetchSecret } = fakeSecret({ 'web-shop': 'wk_browser_probe', retired: ['wk_retired'] });
    const keys = new SecretsManagerWriteKeys([webShop], fetchSecret, {
      retryAfterSeconds: 2,
      onUnknownSource: (id) => unknown.push(id),
    });

    // Act
    const owner = await keys.sourceOf('wk_retired');
    const known = await keys.sourceOf('wk_browser_probe');

    // Assess
    expect(owner).toBeUndefined();
    expect(known).toBe(webShop);
    expect(unknown).toEqual(['retired']);
  });

  it('ignores without a report the entry CloudFormation generated when no source has its id', async () => {
    // Prepare
    const unknown: string[] = [];
    const { fetchSecret } = fakeSecret({ default: 'wk_generated', 'web-shop': 'wk_browser_probe' });
    const keys = new SecretsManagerWriteKeys([webShop], fetchSecret, {
      retryAfterSeconds: 2,
      onUnknownSource: (id) => unknown.push(id),
    });

    // Act
    const owner = await keys.sourceOf('wk_generated');

    // Assess
    expect(owner).toBeUndefined();
    expect(unknown).toEqual([]);
  });

  it('reports each source without a key in the secret or the configuration once per secret value, and answers its keys as unknown', async () => {
    // Prepare: the secret holds keys for web-shop only; legacy has keys in the configuration.
    const missing: string[] = [];
    const { state, fetchSecret } = fakeSecret({ 'web-shop': 'wk_browser_probe' });
    const keys = new SecretsManagerWriteKeys([webShop, backend, legacy], fetchSecret, {
      retryAfterSeconds: 2,
      onMissingSource: (id) => missing.push(id),
    });

    // Act
    const first = await keys.sourceOf('wk_backend_guess');
    await keys.sourceOf('wk_browser_probe');
    state.value = { 'web-shop': 'wk_browser_probe', backend: 'wk_node_probe' };
    const second = await keys.sourceOf('wk_node_probe');

    // Assess
    expect(first).toBeUndefined();
    expect(missing).toEqual(['backend']);
    expect(second).toBe(backend);
  });

  it('ignores keys that are empty or not strings', async () => {
    // Prepare
    const { fetchSecret } = fakeSecret({ 'web-shop': ['', 42, null, 'wk_browser_probe'] });
    const keys = new SecretsManagerWriteKeys([webShop], fetchSecret, { retryAfterSeconds: 2 });

    // Act
    const empty = await keys.sourceOf('');
    const numeric = await keys.sourceOf('42');
    const real = await keys.sourceOf('wk_browser_probe');

    // Assess
    expect([empty, numeric, real]).toEqual([undefined, undefined, webShop]);
  });

  it('rebuilds its lookup table only when the secret value changes', async () => {
    // Prepare: the unknown-source callback runs once per rebuild
    let rebuilds = 0;
    const { state, fetchSecret } = fakeSecret({ 'web-shop': 'wk_old', stale: 'x' });
    const keys = new SecretsManagerWriteKeys([webShop], fetchSecret, {
      retryAfterSeconds: 2,
      onUnknownSource: () => {
        rebuilds += 1;
      },
    });

    // Act
    const beforeRotation = [
      await keys.sourceOf('wk_old'),
      await keys.sourceOf('wk_old'),
      await keys.sourceOf('wk_new'),
    ];
    const rebuildsBeforeRotation = rebuilds;
    state.value = { 'web-shop': 'wk_new', stale: 'x' };
    const afterRotation = [await keys.sourceOf('wk_old'), await keys.sourceOf('wk_new')];

    // Assess
    expect(state.fetches).toBe(5);
    expect(rebuildsBeforeRotation).toBe(1);
    expect(rebuilds).toBe(2);
    expect(beforeRotation).toEqual([webShop, webShop, undefined]);
    expect(afterRotation).toEqual([undefined, webShop]);
  });

  it('keeps the keys written in the configuration valid', async () => {
    // Prepare
    const { fetchSecret } = fakeSecret({ 'web-shop': 'wk_browser_probe' });
    const keys = new SecretsManagerWriteKeys([webShop, legacy], fetchSecret, { retryAfterSeconds: 2 });

    // Act
    const owner = await keys.sourceOf('wk_legacy_config');

    // Assess
    expect(owner).toBe(legacy);
  });

  it('answers 503 with Retry-After when the secret cannot be fetched, keeping the cause', async () => {
    // Prepare
    const { state, fetchSecret } = fakeSecret({ 'web-shop': 'wk_browser_probe' });
    state.failure = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    const keys = new SecretsManagerWriteKeys([webShop], fetchSecret, { retryAfterSeconds: 7 });

    // Act
    const error = await keys.sourceOf('wk_browser_probe').catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(WriteKeysUnavailableError);
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ statusCode: 503, headers: { 'Retry-After': '7' }, cause: state.failure });
  });

  it('answers 503 rather than 401 when the fetch fails, even for keys in the configuration', async () => {
    // Prepare
    const { state, fetchSecret } = fakeSecret({});
    state.failure = new Error('connect ETIMEDOUT');
    const keys = new SecretsManagerWriteKeys([legacy], fetchSecret, { retryAfterSeconds: 2 });

    // Act
    const error = await keys.sourceOf('wk_legacy_config').catch((caught: unknown) => caught);

    // Assess
    expect(error).toMatchObject({ statusCode: 503 });
  });

  it('recovers once the secret can be fetched again', async () => {
    // Prepare
    const { state, fetchSecret } = fakeSecret({ 'web-shop': 'wk_browser_probe' });
    const keys = new SecretsManagerWriteKeys([webShop], fetchSecret, { retryAfterSeconds: 2 });
    state.failure = new Error('connect ETIMEDOUT');
    await keys.sourceOf('wk_browser_probe').catch(() => undefined);
    state.failure = undefined;

    // Act
    const owner = await keys.sourceOf('wk_browser_probe');

    // Assess
    expect(owner).toBe(webShop);
  });

  it.each([
    ['a string', 'wk_browser_probe'],
    ['an array', ['wk_browser_probe']],
    ['null', null],
  ])('answers 503 when the secret value is %s instead of an object', async (_, value) => {
    // Prepare
    const { fetchSecret } = fakeSecret(value);
    const keys = new SecretsManagerWriteKeys([webShop], fetchSecret, { retryAfterSeconds: 3 });

    // Act
    const error = await keys.sourceOf('wk_browser_probe').catch((caught: unknown) => caught);

    // Assess
    expect(error).toMatchObject({ statusCode: 503, headers: { 'Retry-After': '3' } });
    expect((error as Error).cause).toBeInstanceOf(TypeError);
  });
});
