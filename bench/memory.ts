import { fork } from 'node:child_process';
import { join } from 'node:path';
import { build } from 'esbuild';
import { WORK_DIR } from './cold-start';

/** The memory cases the report names: the default-limit batch and the 6 MB request with and without source maps. */
export type MemoryCaseId = '500kb' | '6mb' | '6mb-no-source-maps';

export interface MemoryCase {
  readonly id: MemoryCaseId;
  readonly label: string;
  readonly events: number;
  /** `limits.maxRequestBytes` configured for this case. */
  readonly maxRequestBytes: number;
  /** Run with `--enable-source-maps` (the deployed function runs without: lib/constructs/collector-function.ts). */
  readonly sourceMaps: boolean;
}

export interface MemoryResult extends MemoryCase {
  readonly statusCode: number;
  readonly bodyBytes: number;
  readonly rssAfterLoadBytes: number;
  /** Peak resident set size (VmHWM) over the process' life, load and request included. */
  readonly peakRssBytes: number;
}

/** Runs each case in a fresh `node` process loading the deployed bundle. */
export async function measureMemory(
  bundlePath: string,
  kinesisEndpoint: string,
  streamName: string,
  cases: readonly MemoryCase[],
): Promise<MemoryResult[]> {
  const script = join(WORK_DIR, 'memory-child.js');
  await build({
    entryPoints: [join(__dirname, 'memory-child.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    outfile: script,
    logLevel: 'silent',
  });
  const results: MemoryResult[] = [];
  for (const entry of cases) {
    const config = {
      sources: [{ id: 'dev', writeKeys: ['bench-write-key'], destinations: ['local-kinesis'] }],
      destinations: [
        {
          id: 'local-kinesis',
          streamName,
          region: 'us-east-1',
          endpoint: kinesisEndpoint,
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        },
      ],
      limits: { maxRequestBytes: entry.maxRequestBytes },
      // This measures memory, not speed: the longest delivery budget, so a machine loaded enough to
      // slow the emulator down does not fail the 6 MB request (see memory-child.ts's deadline).
      delivery: { budgetMs: 29_000 },
    };
    const child = fork(script, [], {
      execArgv: entry.sourceMaps ? ['--enable-source-maps'] : [],
      env: {
        PATH: process.env.PATH ?? '',
        BENCH_BUNDLE: bundlePath,
        BENCH_EVENTS: String(entry.events),
        COLLECTOR_CONFIG: JSON.stringify(config),
        POWERTOOLS_LOG_LEVEL: 'WARN',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const message = await new Promise<{
      statusCode: number;
      answer?: string;
      bodyBytes: number;
      afterLoad: { rss: number };
      peak: { hwm: number };
    }>((resolve, reject) => {
      child.once('message', resolve as (value: unknown) => void);
      child.once('exit', (code) => reject(new Error(`memory child exited with code ${code}`)));
    });
    child.kill('SIGTERM');
    if (message.statusCode !== 200)
      throw new Error(`${entry.label}: handler answered ${message.statusCode} ${message.answer}`);
    results.push({
      ...entry,
      statusCode: message.statusCode,
      bodyBytes: message.bodyBytes,
      rssAfterLoadBytes: message.afterLoad.rss,
      peakRssBytes: message.peak.hwm,
    });
  }
  return results;
}
