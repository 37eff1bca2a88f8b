import type { IncomingMessage, ServerResponse } from 'node:http';
import { applyFaultRequest, FaultRequestError, type LocalFaults } from './fault-proxy';

/** Where local mode takes its fault switches: `POST {"kinesis":"down"}`, `GET` the current ones. */
export const FAULTS_PATH = '/_local/faults';

/** Whether the request comes from this machine (the switches are never offered to the network). */
export function isLoopback(request: IncomingMessage): boolean {
  const address = request.socket.remoteAddress ?? '';
  return address === '127.0.0.1' || address === '::1' || address.startsWith('::ffff:127.');
}

/** What the faults in force do, in words, for the answer and the banner. */
export function describeFaults(faults: LocalFaults, withSts = true): string {
  const kinesis = {
    ok: 'local Kinesis takes writes',
    down: 'local Kinesis is down: writes fail, ingest answers 503 (or spills to SPILL_DIR)',
    throttle: 'local Kinesis throttles every write: ingest answers 429 (or spills to SPILL_DIR)',
    slow: `local Kinesis answers each write after ${faults.slowMs} ms`,
  }[faults.kinesis];
  const sts = {
    ok: 'the local STS decides with the trust policy',
    deny: 'the local STS refuses every AssumeRole',
  }[faults.sts];
  return withSts ? `${kinesis}; ${sts}` : kinesis;
}

function readJson(request: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= 4096) chunks.push(chunk);
    });
    request.on('end', () => {
      if (size > 4096) return reject(new FaultRequestError('the body is larger than 4 KiB'));
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        resolve(text.trim() === '' ? {} : JSON.parse(text));
      } catch (error) {
        reject(new FaultRequestError(`the body is not JSON (${(error as Error).message})`));
      }
    });
    request.on('error', reject);
  });
}

export interface FaultsRouteOptions {
  readonly get: () => LocalFaults;
  readonly set: (faults: LocalFaults) => void;
}

/**
 * The `/_local/faults` route of local mode (never part of the Lambda): loopback callers read
 * (`GET`) and switch (`POST`) the faults the proxies in front of the emulator and the local STS
 * inject. Returns false for any other path.
 */
export function faultsRoute(options: FaultsRouteOptions) {
  return (request: IncomingMessage, response: ServerResponse): boolean => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (path !== FAULTS_PATH) return false;
    const json = (status: number, body: unknown) =>
      response
        .writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
        .end(JSON.stringify(body));
    const state = () => {
      const faults = options.get();
      return { ...faults, effect: describeFaults(faults) };
    };
    if (!isLoopback(request)) {
      request.resume();
      json(403, { error: `${FAULTS_PATH} answers only requests from this machine (loopback)` });
      return true;
    }
    if (request.method === 'GET' || request.method === 'HEAD') {
      request.resume();
      json(200, state());
      return true;
    }
    if (request.method !== 'POST') {
      request.resume();
      response.setHeader('allow', 'GET, POST');
      json(405, { error: `use POST ${FAULTS_PATH} with e.g. {"kinesis":"down"}, or GET to read them` });
      return true;
    }
    readJson(request).then(
      (body) => {
        try {
          options.set(applyFaultRequest(options.get(), body));
          json(200, state());
        } catch (error) {
          if (!(error instanceof FaultRequestError)) throw error;
          json(400, { error: error.message });
        }
      },
      (error: Error) => json(400, { error: error.message }),
    );
    return true;
  };
}
