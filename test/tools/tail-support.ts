import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { type KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { runTail as runTailHere } from '../../tools/tail/run-tail';
import { parseTailArgs } from '../../tools/tail/tail-args';

export const REPO_ROOT = resolve(__dirname, '../..');

/** A record as the collector writes it: an envelope (docs/envelope.md) under its partition key. */
export function envelope(fields: {
  readonly id: string;
  readonly type?: string;
  readonly event?: string | null;
  readonly name?: string | null;
  readonly userId?: string | null;
  readonly anonymousId?: string | null;
  readonly source?: string;
}) {
  const now = new Date().toISOString();
  const type = fields.type ?? 'track';
  return {
    event_id: fields.id,
    type,
    event: fields.event ?? (type === 'track' ? 'Order Completed' : null),
    name: fields.name ?? null,
    anonymous_id: fields.anonymousId ?? null,
    user_id: fields.userId === undefined ? 'user-1' : fields.userId,
    group_id: null,
    previous_id: null,
    timestamp: now,
    original_timestamp: now,
    sent_at: now,
    received_at: now,
    context: { library: { name: 'analytics.js', version: 'npm:next-1.84.3' }, ip: '127.0.0.1' },
    properties: type === 'track' ? { revenue: 9.99 } : null,
    traits: null,
    source_id: fields.source ?? 'web',
    integration_id: 'events',
  };
}

export type Envelope = ReturnType<typeof envelope>;

/** Writes the envelopes, each under `user_id || anonymous_id`, as the collector does. */
export async function putEnvelopes(
  client: KinesisClient,
  streamName: string,
  envelopes: readonly Envelope[],
): Promise<void> {
  const { FailedRecordCount } = await client.send(
    new PutRecordsCommand({
      StreamName: streamName,
      Records: envelopes.map((item) => ({
        PartitionKey: (item.user_id ?? item.anonymous_id) as string,
        Data: Buffer.from(JSON.stringify(item)),
      })),
    }),
  );
  if (FailedRecordCount) throw new Error(`${FailedRecordCount} records were not written`);
}

/** A `--json` line of tail. */
export interface TailJsonLine {
  readonly meta: {
    readonly shardId: string;
    readonly partitionKey: string;
    readonly sequenceNumber: string;
    readonly arrivedAt?: string;
  };
  readonly envelope: Envelope;
}

export interface TailRun {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** The exit status, once the process ends. */
  readonly exited: Promise<number | null>;
}

/**
 * How a test starts a command: `npm` (`npm run <script> -- ...`, the contract), `node` (the entry
 * point directly under tsx: one process, so signals reach the command itself), or `{ bundle }`: the
 * entry point as one process too, from its esbuild bundle (test/support/bundled-entry.ts), without
 * tsx's start-up cost.
 */
export type RunHow = 'npm' | 'node' | { readonly bundle: string };

/** Runs tail as a user would (see {@link RunHow}). */
export function runTail(args: readonly string[], how: RunHow = 'node'): TailRun {
  const env = {
    ...process.env,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    FORCE_COLOR: undefined,
  };
  const child =
    how === 'npm'
      ? spawn('npm', ['run', 'tail', '--', ...args], { cwd: REPO_ROOT, env })
      : how === 'node'
        ? spawn(process.execPath, ['--import', 'tsx', 'bin/tail.ts', ...args], { cwd: REPO_ROOT, env })
        : spawn(process.execPath, [how.bundle, ...args], { cwd: REPO_ROOT, env });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exited = new Promise<number | null>((resolveExit) => child.on('close', (code) => resolveExit(code)));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/**
 * What tail prints for `args` when it runs to its end (`--no-follow`), run in this process: what
 * bin/tail.ts does between reading its command line and exiting (`parseTailArgs`, then `runTail`
 * writing to a stdout that is not a terminal), without a process around it. For tests of what tail
 * selects and prints (filters, `--since`, arrival order), where the process is not the subject: a
 * bundled start costs ~0.8 s of CPU; the tests of the npm script, exit statuses, signals and pipes
 * start a process ({@link runTail}).
 */
export async function tailInThisProcess(
  args: readonly string[],
): Promise<{ stdout: string; stderr: string }> {
  const env = { ...process.env, FORCE_COLOR: undefined };
  const options = parseTailArgs([...args], env);
  if (options === 'help') throw new Error(`tailInThisProcess: ${args.join(' ')} asks for the usage`);
  const collect = () => {
    const stream = new PassThrough();
    let text = '';
    stream.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
    });
    return { stream, text: () => text };
  };
  const stdout = collect();
  const stderr = collect();
  await runTailHere(
    { ...options, signal: new AbortController().signal },
    { stdout: stdout.stream, stderr: stderr.stream, env },
  );
  return { stdout: stdout.text(), stderr: stderr.text() };
}

/** The JSON lines of tail's stdout (npm prints its own `> ...` banner lines first). */
export function jsonLines(stdout: string): TailJsonLine[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as TailJsonLine);
}

/** Polls until `check` holds, at most `timeoutMs`, failing with `what`. */
export async function eventually(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((done) => setTimeout(done, 50));
  }
}
