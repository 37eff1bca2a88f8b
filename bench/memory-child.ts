/**
 * Child-process entry of item 6, run by plain `node` (with `--enable-source-maps` where the case says) after
 * esbuild turns it into JavaScript: loads the deployed bundle (`BENCH_BUNDLE`) with the
 * configuration in the environment, handles one `/v1/batch` request of `BENCH_EVENTS` events
 * against the emulator, and reports the peak resident set size.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { batchApiEvent, trackEvents } from './events';

function vmHwmBytes(): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return match ? Number(match[1]) * 1024 : Number.NaN;
}

async function main(): Promise<void> {
  const load = createRequire(__filename);
  const { handler } = load(process.env.BENCH_BUNDLE as string) as {
    handler: (event: unknown, context: unknown) => Promise<{ statusCode?: number; body?: string }>;
  };
  const afterLoad = { rss: process.memoryUsage().rss, hwm: vmHwmBytes() };
  const body = JSON.stringify({ batch: trackEvents(Number(process.env.BENCH_EVENTS), 'memory') });
  const event = batchApiEvent(body, 'memory');
  // A generous deadline: this measures memory, not speed, and a loaded machine slows the emulator
  // down enough that a 6 MB request can miss the deployed function's 10 s (memory.ts raises the
  // delivery budget to match).
  const context = { awsRequestId: 'memory', functionName: 'bench', getRemainingTimeInMillis: () => 60_000 };
  const answer = await handler(event, context);
  process.send?.({
    type: 'result',
    statusCode: answer.statusCode,
    answer: answer.statusCode === 200 ? undefined : answer.body,
    bodyBytes: Buffer.byteLength(body),
    afterLoad,
    peak: { hwm: vmHwmBytes(), maxRss: process.resourceUsage().maxRSS * 1024 },
  });
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
