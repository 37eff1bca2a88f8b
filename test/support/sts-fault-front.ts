import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody, relayRequest } from './forward-request';

/** What the front does with each STS call: pass it on, refuse it as IAM would, or fail it as an outage. */
export type StsFrontMode = 'pass' | 'refuse' | 'fail';

export interface StsFaultFront {
  /** `http://127.0.0.1:<port>`: the destination's `stsEndpoint`. */
  readonly url: string;
  mode: StsFrontMode;
  /** Modes for the next calls, one per call, used before `mode` (a fault by count, not by time). */
  readonly script: StsFrontMode[];
  /** Calls answered per mode. */
  readonly counts: Record<StsFrontMode, number>;
  stop(): Promise<void>;
}

const errorXml = (type: string, code: string, message: string) =>
  `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>${type}</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;

/**
 * A loopback front for the local STS that forces the two ways `AssumeRole` goes wrong in production:
 * `refuse` answers 403 `AccessDenied` (the trust policy no longer lets the collector in: permanent),
 * `fail` answers 500 `InternalFailure` (STS unavailable: worth retrying); `pass` forwards to the
 * local STS, whose synthesized trust policy decides.
 */
export async function startStsFaultFront(upstream: string): Promise<StsFaultFront> {
  const counts: Record<StsFrontMode, number> = { pass: 0, refuse: 0, fail: 0 };
  const server = createServer(async (request, response) => {
    const body = await readBody(request);
    const mode = front.script.shift() ?? front.mode;
    counts[mode]++;
    if (mode === 'refuse') {
      response.writeHead(403, { 'content-type': 'text/xml' });
      response.end(
        errorXml('Sender', 'AccessDenied', 'not authorized to perform: sts:AssumeRole (injected)'),
      );
      return;
    }
    if (mode === 'fail') {
      response.writeHead(500, { 'content-type': 'text/xml' });
      response.end(errorXml('Receiver', 'InternalFailure', 'STS is unavailable (injected)'));
      return;
    }
    await relayRequest(upstream, request, body, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const front: StsFaultFront = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    mode: 'pass',
    script: [],
    counts,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return front;
}
