import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody, relayRequest } from './forward-request';

/** What the front does with one call, decided when it arrives. */
export type HoldingFrontAnswer = 'pass' | 'hold';

export interface HoldingFront {
  /** `http://127.0.0.1:<port>`: the endpoint to give the client instead of the upstream's. */
  readonly url: string;
  /** Calls arrived so far. */
  readonly arrivals: number;
  /** Resolves once `count` calls have arrived (at once if they have). */
  arrived(count: number): Promise<void>;
  /** Resolves once `count` calls have been answered. */
  answered(count: number): Promise<void>;
  /** Forwards the calls held so far (and from now on the calls `decide` holds are held again). */
  release(): void;
  /** Stops the front; calls still held are dropped (their connection is closed). */
  stop(): Promise<void>;
}

/**
 * A loopback front for a stand-in (local STS, Secrets Manager) that tells when calls arrive, and can
 * hold a call's answer (`decide` returns `'hold'` for it: forwarded only on {@link HoldingFront.release},
 * never if the front stops first), as a slow network or an environment frozen with the call in flight
 * would. `decide` is told each call's arrival number, from 1. Everything else passes to `upstream`.
 */
export async function startHoldingFront(
  upstream: string,
  decide: (arrival: number) => HoldingFrontAnswer = () => 'pass',
): Promise<HoldingFront> {
  let arrivals = 0;
  let answers = 0;
  let held: (() => void)[] = [];
  const waiters: { kind: 'arrived' | 'answered'; count: number; resolve: () => void }[] = [];
  const wake = () => {
    for (const waiter of [...waiters]) {
      if ((waiter.kind === 'arrived' ? arrivals : answers) < waiter.count) continue;
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  };
  const waitFor = (kind: 'arrived' | 'answered', count: number) =>
    new Promise<void>((resolve) => {
      waiters.push({ kind, count, resolve });
      wake();
    });
  const open = new Set<ServerResponse>();
  const server = createServer(async (request, response) => {
    open.add(response);
    response.on('close', () => open.delete(response));
    const body = await readBody(request);
    arrivals++;
    const answer = decide(arrivals);
    wake();
    if (answer === 'hold') await new Promise<void>((resolve) => held.push(resolve));
    if (await relayRequest(upstream, request, body, response)) {
      answers++;
      wake();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get arrivals() {
      return arrivals;
    },
    arrived: (count) => waitFor('arrived', count),
    answered: (count) => waitFor('answered', count),
    release: () => {
      const release = held;
      held = [];
      for (const resolve of release) resolve();
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const response of open) response.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
