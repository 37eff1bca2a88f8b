import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { forwardRequest, readBody } from './forward-request';

/**
 * What the proxy does to each PutRecords call (other Kinesis calls pass through untouched).
 * Probabilities are per call except `recordThrottle`, which is per record.
 */
export interface Faults {
  /** Share of records answered `ProvisionedThroughputExceededException` and NOT written. */
  recordThrottle?: number;
  /** Share of records answered `InternalFailure` (a per-record fault, not throttling) and NOT written. */
  recordFailure?: number;
  /** Share of calls answered 400 `ProvisionedThroughputExceededException` / `LimitExceededException`. */
  callThrottle?: number;
  /** Share of calls answered 500 `InternalFailure` without being forwarded. */
  serverError?: number;
  /** Share of calls whose connection is reset before being forwarded. */
  resetBefore?: number;
  /** Share of calls forwarded (so written) whose answer is then lost to a connection reset. */
  resetAfter?: number;
  /** Share of calls delayed by `delayMs` before being forwarded (dropped if the caller gave up). */
  slow?: number;
  delayMs?: number;
}

export interface FaultProxy {
  readonly url: string;
  /** The emulator behind the proxy. */
  upstream: string;
  faults: Faults;
  /**
   * Event ids written by Kinesis in calls whose answer never reached the caller (its deadline
   * aborted the call, or the answer was reset): the caller cannot know they are durable, so its
   * retry or spill may add a second copy. Counted per event id.
   */
  readonly ambiguous: Map<string, number>;
  /** What the proxy did, for the fault matrix. */
  readonly counts: {
    calls: number;
    recordsThrottled: number;
    recordsFailed: number;
    callsThrottled: number;
    serverErrors: number;
    resets: number;
    slowed: number;
  };
  stop(): Promise<void>;
}

/** Sends the request on to the emulator and returns its answer (JSON 1.1 unless it says otherwise). */
async function forward(
  upstream: string,
  request: IncomingMessage,
  body: Buffer,
): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
  const answer = await forwardRequest(upstream, request, body);
  return {
    status: answer.status,
    headers: { 'content-type': answer.contentType ?? 'application/x-amz-json-1.1' },
    body: answer.body,
  };
}

/**
 * A loopback HTTP proxy in front of kinesalite that injects the faults Kinesis shows in production
 * and kinesalite never does. A per-record failure means the record was not written: only the other
 * records are forwarded, and their answers are spliced back in order with the injected failures.
 */
export async function startFaultProxy(random: () => number = Math.random): Promise<FaultProxy> {
  const ambiguous = new Map<string, number>();
  const noteAmbiguous = (records: unknown[]) => {
    for (const record of records) {
      try {
        const data = Buffer.from((record as { Data: string }).Data, 'base64').toString('utf8');
        const id = String((JSON.parse(data) as { event_id?: unknown }).event_id);
        ambiguous.set(id, (ambiguous.get(id) ?? 0) + 1);
      } catch {
        // Not an envelope: nothing to attribute.
      }
    }
  };
  const counts = {
    calls: 0,
    recordsThrottled: 0,
    recordsFailed: 0,
    callsThrottled: 0,
    serverErrors: 0,
    resets: 0,
    slowed: 0,
  };
  const server: Server = createServer(async (request, response) => {
    const body = await readBody(request);
    const target = String(request.headers['x-amz-target'] ?? '');
    const faults = proxy.faults;
    const json = (status: number, payload: unknown) => {
      response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify(payload));
    };
    try {
      if (!target.endsWith('.PutRecords')) {
        const answer = await forward(proxy.upstream, request, body);
        response.writeHead(answer.status, answer.headers).end(answer.body);
        return;
      }
      counts.calls++;
      const chance = (p: number | undefined) => p !== undefined && p > 0 && random() < p;
      if (chance(faults.resetBefore)) {
        counts.resets++;
        request.socket.destroy();
        return;
      }
      if (chance(faults.callThrottle)) {
        counts.callsThrottled++;
        const type = random() < 0.5 ? 'ProvisionedThroughputExceededException' : 'LimitExceededException';
        json(400, { __type: type, message: 'Rate exceeded for stream (injected)' });
        return;
      }
      if (chance(faults.serverError)) {
        counts.serverErrors++;
        json(500, { __type: 'InternalFailure', message: 'injected' });
        return;
      }
      if (chance(faults.slow)) {
        counts.slowed++;
        await sleep(faults.delayMs ?? 0);
        // The caller gave up (its deadline aborted the call): nothing is written, as with a call
        // that never reached Kinesis.
        if (request.socket.destroyed || response.destroyed) return;
      }
      const input = JSON.parse(body.toString('utf8')) as { StreamName: string; Records: unknown[] };
      const refusals = input.Records.map((): 'throttle' | 'failure' | undefined =>
        chance(faults.recordThrottle) ? 'throttle' : chance(faults.recordFailure) ? 'failure' : undefined,
      );
      const kept = input.Records.filter((_, index) => refusals[index] === undefined);
      let answers: unknown[] = [];
      if (kept.length > 0) {
        const answer = await forward(
          proxy.upstream,
          request,
          Buffer.from(JSON.stringify({ ...input, Records: kept })),
        );
        if (answer.status !== 200 || chance(faults.resetAfter)) {
          if (answer.status === 200) {
            noteAmbiguous(kept);
            counts.resets++;
            request.socket.destroy();
            return;
          }
          response.writeHead(answer.status, answer.headers).end(answer.body);
          return;
        }
        answers = (JSON.parse(answer.body.toString('utf8')) as { Records: unknown[] }).Records;
        if (request.socket.destroyed) {
          noteAmbiguous(kept);
          return;
        }
        // The caller may give up just as the answer arrives (its abort closes the connection):
        // a close right after answering means the answer may not have been read.
        const socket = request.socket;
        const onClose = () => noteAmbiguous(kept);
        socket.once('close', onClose);
        response.once('finish', () => setTimeout(() => socket.off('close', onClose), 200).unref());
      }
      let next = 0;
      const records = refusals.map((refusal) => {
        if (refusal === undefined) return answers[next++];
        if (refusal === 'failure') {
          counts.recordsFailed++;
          return { ErrorCode: 'InternalFailure', ErrorMessage: 'Internal service failure (injected)' };
        }
        counts.recordsThrottled++;
        return {
          ErrorCode: 'ProvisionedThroughputExceededException',
          ErrorMessage: 'Rate exceeded for shard (injected)',
        };
      });
      const failed = records.filter((record) => (record as { ErrorCode?: string }).ErrorCode !== undefined);
      json(200, { FailedRecordCount: failed.length, Records: records });
    } catch {
      if (!response.headersSent) json(500, { __type: 'InternalFailure', message: 'proxy error' });
      else response.destroy();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const proxy: FaultProxy = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    upstream: '',
    faults: {},
    ambiguous,
    counts,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return proxy;
}
