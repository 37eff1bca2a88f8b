/**
 * Child-process entry of the benchmark's Kinesis emulator: the same in-memory kinesalite as
 * `npm start` (local/kinesalite.ts), plus a count of API calls by operation (`X-Amz-Target`),
 * read and reset by the parent over IPC with the CPU time used since the reset. Counting here costs one header read per request and
 * adds no network hop.
 */
import type { IncomingMessage } from 'node:http';
import { createKinesalite } from '../local/kinesalite';

const server = createKinesalite();
const counts = new Map<string, number>();
let cpuSince = process.cpuUsage();

server.prependListener('request', (request: IncomingMessage) => {
  const target = String(request.headers['x-amz-target'] ?? 'unknown').replace(/^Kinesis_\d+\./, '');
  counts.set(target, (counts.get(target) ?? 0) + 1);
});

process.on('message', (message: { type?: string }) => {
  if (message.type === 'counts') {
    const cpu = process.cpuUsage(cpuSince);
    process.send?.({
      type: 'counts',
      counts: Object.fromEntries(counts),
      cpuMs: (cpu.user + cpu.system) / 1000,
    });
  }
  if (message.type === 'reset') {
    counts.clear();
    cpuSince = process.cpuUsage();
    process.send?.({ type: 'reset' });
  }
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.send?.({
    type: 'listening',
    port: typeof address === 'object' && address !== null ? address.port : 0,
  });
});
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
