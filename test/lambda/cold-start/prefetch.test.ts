import { PREFETCH_JOIN_MS, Prefetch, reuseOr } from '../../../lambda/cold-start/prefetch';

/** A call whose answer the test gives. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('a call prefetched at cold start', () => {
  let clock = 0;
  const now = () => clock;
  beforeEach(() => {
    clock = 1_000_000;
  });

  it('may be joined while in flight and younger than the bound, and not once older (a freeze)', () => {
    const call = deferred<string>();
    const prefetch = new Prefetch(() => call.promise, jest.fn(), now);

    clock += PREFETCH_JOIN_MS - 1;
    expect(prefetch.inFlight()).toBe(prefetch.usable());
    expect(prefetch.inFlight()).toBeDefined();
    clock += 1;
    expect(prefetch.inFlight()).toBeUndefined();
    expect(prefetch.usable()).toBeUndefined();
  });

  it('is not joined when the clock went backwards', () => {
    const prefetch = new Prefetch(() => deferred<string>().promise, jest.fn(), now);

    clock -= 1;

    expect(prefetch.usable()).toBeUndefined();
  });

  it('hands its answer to a caller that checks its age itself, at any age, but not to one that joins only calls in flight', async () => {
    const prefetch = new Prefetch(async () => 'credentials', jest.fn(), now);
    await prefetch.usable();

    clock += 10 * PREFETCH_JOIN_MS;

    await expect(prefetch.usable()).resolves.toBe('credentials');
    expect(prefetch.inFlight()).toBeUndefined();
  });

  it('reports a failure once, to onError only, and is then neither joined nor used', async () => {
    const onError = jest.fn();
    const failure = new Error('AccessDenied');
    const prefetch = new Prefetch(() => Promise.reject(failure), onError, now);
    await new Promise((resolve) => setImmediate(resolve));

    expect(onError.mock.calls).toEqual([[failure]]);
    expect(prefetch.usable()).toBeUndefined();
  });

  it('reports a call that throws at once as a failure, not at init', async () => {
    const onError = jest.fn();
    const prefetch = new Prefetch(
      () => {
        throw new Error('no region');
      },
      onError,
      now,
    );
    await new Promise((resolve) => setImmediate(resolve));

    expect(onError).toHaveBeenCalledTimes(1);
    expect(prefetch.usable()).toBeUndefined();
  });
});

describe('reusing a prefetch', () => {
  it('answers with the prefetched call when it succeeds, without calling', async () => {
    const call = jest.fn(async () => 'again');

    await expect(reuseOr(Promise.resolve('prefetched'), call)).resolves.toBe('prefetched');
    expect(call).not.toHaveBeenCalled();
  });

  it('calls itself when the prefetched call fails, and answers with its own outcome', async () => {
    const call = jest.fn(async () => 'again');

    await expect(reuseOr(Promise.reject(new Error('refused')), call)).resolves.toBe('again');
    expect(call).toHaveBeenCalledTimes(1);
  });

  it('calls when there is nothing to reuse', async () => {
    await expect(reuseOr(undefined, async () => 'own')).resolves.toBe('own');
  });
});
