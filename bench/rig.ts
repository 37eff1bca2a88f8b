import { emulatorClient } from '../local/local-mode';
import { forkBenchChild } from './child';
import { recreateStream } from './kinesis-io';
import type { Rig } from './throughput';

export const BENCH_STREAM = 'bench-events';
export const BENCH_WRITE_KEY = 'bench-write-key';
const REGION = 'us-east-1';

/**
 * Starts the emulator in its own process, the stream, and two collector processes (ours, and the
 * same handler with a per-event PutRecord writer), all on loopback.
 */
export async function startRig(options: {
  concurrency: number;
  shards: number;
}): Promise<Rig & { stop(): Promise<void> }> {
  const emulator = forkBenchChild('emulator-process.ts');
  const { port } = await emulator.next<{ port: number }>('listening');
  const endpoint = `http://127.0.0.1:${port}`;
  const client = emulatorClient(endpoint, REGION);
  await recreateStream(client, BENCH_STREAM, options.shards);
  const env = { BENCH_KINESIS_ENDPOINT: endpoint, BENCH_STREAM, BENCH_WRITE_KEY, AWS_REGION: REGION };
  const ours = forkBenchChild('collector-process.ts', env);
  const peer = forkBenchChild('collector-process.ts', { ...env, BENCH_WRITER: 'put-record' });
  const [oursReady, peerReady] = await Promise.all([
    ours.next<{ url: string }>('listening'),
    peer.next<{ url: string }>('listening'),
  ]);
  return {
    emulator,
    client,
    streamName: BENCH_STREAM,
    shards: options.shards,
    writeKey: BENCH_WRITE_KEY,
    collector: { url: oursReady.url, child: ours },
    putRecordCollector: { url: peerReady.url, child: peer },
    concurrency: options.concurrency,
    endpoint,
    stop: async () => {
      client.destroy();
      await Promise.all([ours.stop(), peer.stop()]);
      await emulator.stop();
    },
  };
}
