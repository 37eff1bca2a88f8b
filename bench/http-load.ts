import { Agent, request } from 'node:http';
import { inParallel } from './kinesis-io';

/** One keep-alive client sending prepared JSON bodies to one collector path. */
export interface HttpLoad {
  readonly url: string;
  readonly path: string;
  readonly writeKey: string;
  readonly concurrency: number;
}

function post(load: HttpLoad, agent: Agent, body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const target = new URL(load.path, load.url);
    const call = request(
      target,
      {
        method: 'POST',
        agent,
        headers: {
          authorization: `Basic ${Buffer.from(`${load.writeKey}:`).toString('base64')}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          if (response.statusCode === 200) return resolve();
          reject(new Error(`${load.path} answered ${response.statusCode}: ${Buffer.concat(chunks)}`));
        });
        response.on('error', reject);
      },
    );
    call.on('error', reject);
    call.end(body);
  });
}

/** Sends every body (in order of start), `concurrency` requests in flight over keep-alive sockets. */
export async function postAll(load: HttpLoad, bodies: readonly string[]): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: load.concurrency });
  try {
    await inParallel(bodies.length, load.concurrency, (index) => post(load, agent, bodies[index] as string));
  } finally {
    agent.destroy();
  }
}
