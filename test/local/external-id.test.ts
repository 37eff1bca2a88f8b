import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { emulatorClient } from '../../local/local-mode';
import { readAllRecords } from '../support/stream-reader';

const ROOT = join(__dirname, '..', '..');

interface Started {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<number | string | null>;
}

/** Runs `npm start` in its own process group with the given environment, logs at INFO. */
function npmStart(env: Record<string, string>): Started {
  const child = spawn('npm', ['start', '--silent'], {
    cwd: ROOT,
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'INFO', ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | string | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal)),
  );
  return { child, output: () => output, exited };
}

async function waitFor(started: Started, pattern: RegExp, timeoutMs = 45_000): Promise<RegExpExecArray> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const match = pattern.exec(started.output());
    if (match) return match;
    if (started.child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`"${pattern}" not printed; output so far:\n${started.output()}`);
}

function stop(started: Started, signal: NodeJS.Signals): void {
  if (started.child.pid === undefined) return;
  try {
    process.kill(-started.child.pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

async function track(collectorUrl: string, messageId: string): Promise<Response> {
  return fetch(`${collectorUrl}/v1/track`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from('dev-write-key:').toString('base64')}` },
    body: JSON.stringify({ userId: 'user-1', event: 'Signed Up', messageId }),
  });
}

describe('npm start with EXTERNAL_ID, through the local STS', () => {
  it('prints the STS endpoint and writes with credentials from AssumeRole when the role trusts the external ID', async () => {
    // Prepare
    const started = npmStart({
      PORT: '0',
      KINESIS_PORT: '0',
      STREAM_NAME: 'sts-ok',
      EXTERNAL_ID: 'dev-ext-1234',
    });
    try {
      const collectorUrl = (await waitFor(started, /Collector URL:\s+(\S+)/))[1] as string;
      const kinesisEndpoint = (await waitFor(started, /Kinesis endpoint:\s+(\S+)/))[1] as string;
      expect(started.output()).toMatch(/STS endpoint:\s+http:\/\/127\.0\.0\.1:\d+ \(local STS/);
      expect(started.output()).toMatch(/Writer role:\s+arn:aws:iam::000000000000:role\/\S+/);

      // Act
      const response = await track(collectorUrl, 'through-sts');

      // Assess
      expect(response.status).toBe(200);
      const kinesis = emulatorClient(kinesisEndpoint, 'us-east-1');
      expect((await readAllRecords(kinesis, 'sts-ok')).map((r) => r.json.event_id)).toEqual(['through-sts']);
      kinesis.destroy();
    } finally {
      stop(started, 'SIGKILL');
      await started.exited;
    }
  }, 90_000);

  it('answers 503, writes nothing and logs the fix when TRUSTED_EXTERNAL_IDS does not include EXTERNAL_ID', async () => {
    // Prepare
    const started = npmStart({
      PORT: '0',
      KINESIS_PORT: '0',
      STREAM_NAME: 'sts-denied',
      EXTERNAL_ID: 'dev-ext-1234',
      TRUSTED_EXTERNAL_IDS: 'other-ext-5678,third-ext-9012',
    });
    try {
      const collectorUrl = (await waitFor(started, /Collector URL:\s+(\S+)/))[1] as string;
      const kinesisEndpoint = (await waitFor(started, /Kinesis endpoint:\s+(\S+)/))[1] as string;
      expect(started.output()).toContain('the role trusts 2 external IDs, NOT this one');

      // Act
      const response = await track(collectorUrl, 'refused');

      // Assess
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('2');
      const kinesis = emulatorClient(kinesisEndpoint, 'us-east-1');
      expect(await readAllRecords(kinesis, 'sts-denied')).toEqual([]);
      kinesis.destroy();
      const diagnosis = (await waitFor(started, /^\{.*"errorCode":"AccessDenied".*"fix".*\}$/m))[0];
      expect(JSON.parse(diagnosis)).toMatchObject({
        level: 'ERROR',
        destinationId: 'local-kinesis',
        externalId: '****1234',
      });
    } finally {
      stop(started, 'SIGKILL');
      await started.exited;
    }
  }, 90_000);
});
