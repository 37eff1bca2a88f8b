import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createKinesalite } from '../../local/kinesalite';
import {
  emulatorClient,
  LocalSettingsError,
  localModeSettings,
  localRuntimeConfig,
} from '../../local/local-mode';
import { killStarted, startLocalCollector, waitForBanner, waitForOutput } from '../support/npm-start';
import { readAllRecords } from '../support/stream-reader';
import { useTestKinesis } from '../support/test-collector';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');
/**
 * A failing write gives up after 1 s instead of the deployed 6 s: these tests check the answer a
 * fault gives (status, Retry-After, spill), not how long the collector retries first.
 */
const SHORT_BUDGET = { DELIVERY_BUDGET_MS: '1000' };

/** `curl -s -X POST -d <body> <url>`, as the banner shows it. */
async function switchFaults(faultsUrl: string, body: string) {
  const response = await fetch(faultsUrl, { method: 'POST', body });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

async function track(collectorUrl: string, messageId: string): Promise<Response> {
  return fetch(`${collectorUrl}/v1/track`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from('dev-write-key:').toString('base64')}` },
    body: JSON.stringify({ userId: 'user-1', event: 'Signed Up', messageId }),
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("local mode's waits, set short to try faults", () => {
  it('gives source dev the delivery budget of DELIVERY_BUDGET_MS, the deployed 6 s unless set', () => {
    expect(localRuntimeConfig(localModeSettings({})).delivery.budgetMs).toBe(6000);
    expect(localRuntimeConfig(localModeSettings({ DELIVERY_BUDGET_MS: '1000' })).delivery.budgetMs).toBe(
      1000,
    );
  });

  it('refuses a DELIVERY_BUDGET_MS out of range or beside a configuration document, saying what to do', () => {
    for (const value of ['50', '30000', '1.5', 'soon'])
      expect(() => localModeSettings({ DELIVERY_BUDGET_MS: value })).toThrow(
        new LocalSettingsError(
          `DELIVERY_BUDGET_MS=${value} must be a whole number of milliseconds from 100 to 29000: set it in that range or unset it`,
        ),
      );
    expect(() =>
      localModeSettings({ DELIVERY_BUDGET_MS: '1000' }, ['--config', 'examples/fan-out.json']),
    ).toThrow(/^DELIVERY_BUDGET_MS is only used without a configuration document: set "delivery"/);
  });

  it('tries an unreachable KINESIS_ENDPOINT again every KINESIS_ENDPOINT_RETRY_MS, 2 s unless set', () => {
    expect(localModeSettings({}).kinesisEndpointRetryMs).toBe(2000);
    expect(localModeSettings({ KINESIS_ENDPOINT_RETRY_MS: '200' }).kinesisEndpointRetryMs).toBe(200);
    expect(() => localModeSettings({ KINESIS_ENDPOINT_RETRY_MS: '0' })).toThrow(
      /^KINESIS_ENDPOINT_RETRY_MS=0 must be a whole number of milliseconds from 10 to 600000/,
    );
  });
});

/**
 * The local collector's entry (bin/local-collector.ts, bundled once per run: test/support/npm-start.ts):
 * the faults are local mode's, whoever starts it. The first two share one in-process kinesalite
 * through KINESIS_ENDPOINT (the fault switches sit in front of any endpoint), each its own stream.
 */
describe('trying failures in local mode', () => {
  const sharedKinesis = useTestKinesis();

  it('takes local Kinesis down, throttling and back with one POST /_local/faults each: 503, 429, then 200', async () => {
    const started = await startLocalCollector({
      PORT: '0',
      KINESIS_ENDPOINT: sharedKinesis.endpoint,
      STREAM_NAME: 'faults',
      ...SHORT_BUDGET,
    });
    try {
      const { collectorUrl, kinesisEndpoint, faultsUrl } = await waitForBanner(started);
      expect(started.output()).toContain(`curl -s -X POST -d '{"kinesis":"down"}' ${faultsUrl}`);

      expect(await switchFaults(faultsUrl, '{"kinesis":"down"}')).toMatchObject({
        status: 200,
        json: { kinesis: 'down', sts: 'ok', effect: expect.stringContaining('ingest answers 503') },
      });
      const down = await track(collectorUrl, 'while-down');
      expect(down.status).toBe(503);
      expect(down.headers.get('retry-after')).toBe('2');
      expect(((await down.json()) as { error: string }).error).toMatch(/stream .*could not take them/);

      await switchFaults(faultsUrl, '{"kinesis":"throttle"}');
      const throttled = await track(collectorUrl, 'while-throttled');
      expect(throttled.status).toBe(429);
      expect(throttled.headers.get('retry-after')).toBe('2');

      expect((await switchFaults(faultsUrl, '{"kinesis":"ok"}')).json).toMatchObject({ kinesis: 'ok' });
      expect((await track(collectorUrl, 'back-up')).status).toBe(200);
      const kinesis = emulatorClient(kinesisEndpoint, 'us-east-1');
      expect((await readAllRecords(kinesis, 'faults')).map((record) => record.json.event_id)).toEqual([
        'back-up',
      ]);
      kinesis.destroy();

      expect(await switchFaults(faultsUrl, '{"kinesis":"off","color":"red"}')).toEqual({
        status: 400,
        json: {
          error:
            'unknown field "color" (use kinesis, sts, slowMs); kinesis must be one of "ok", "down", "throttle", "slow"',
        },
      });
      expect((await fetch(faultsUrl)).status).toBe(200);
    } finally {
      await killStarted(started);
    }
  }, 120_000);

  it('spills what a down Kinesis refuses, answers 200, and the banner line redrives it once Kinesis is back', async () => {
    const spillDir = mkdtempSync(join(tmpdir(), 'local-spill-'));
    const started = await startLocalCollector({
      PORT: '0',
      KINESIS_ENDPOINT: sharedKinesis.endpoint,
      STREAM_NAME: 'spilled',
      SPILL_DIR: spillDir,
      ...SHORT_BUDGET,
    });
    try {
      const { collectorUrl, kinesisEndpoint, faultsUrl } = await waitForBanner(started);
      await switchFaults(faultsUrl, '{"kinesis":"down"}');
      expect((await track(collectorUrl, 'spilled-1')).status).toBe(200);
      await switchFaults(faultsUrl, '{"kinesis":"ok"}');

      const redriveLine = /redrive: (npm run redrive -- .*)\)/.exec(started.output())?.[1] as string;
      expect(redriveLine).toBe(
        `npm run redrive -- --spill-dir ${spillDir} --stream spilled --endpoint ${kinesisEndpoint}`,
      );
      const { stdout } = await run('sh', ['-c', redriveLine], { cwd: ROOT });
      expect(stdout).toMatch(/moved 1/);

      const kinesis = emulatorClient(kinesisEndpoint, 'us-east-1');
      expect((await readAllRecords(kinesis, 'spilled')).map((record) => record.json.event_id)).toEqual([
        'spilled-1',
      ]);
      kinesis.destroy();
    } finally {
      await killStarted(started);
    }
  }, 120_000);

  it('starts with a warning when KINESIS_ENDPOINT does not answer, answers 503, and writes once it answers', async () => {
    const port = await freePort();
    const endpoint = `http://127.0.0.1:${port}`;
    // Local mode's own log level (jest's setup silences the logs of the processes it starts).
    const started = await startLocalCollector({
      PORT: '0',
      KINESIS_ENDPOINT: endpoint,
      STREAM_NAME: 'late',
      POWERTOOLS_LOG_LEVEL: 'WARN',
      ...SHORT_BUDGET,
      // Tries the endpoint again every 200 ms rather than 2 s: the test waits for it to answer.
      KINESIS_ENDPOINT_RETRY_MS: '200',
    });
    const emulator = createKinesalite();
    try {
      const { collectorUrl } = await waitForBanner(started);
      expect(started.output()).toContain(`WARNING: KINESIS_ENDPOINT ${endpoint} does not answer`);
      expect(started.output()).toContain(
        'To fix: start the Kinesis emulator there, or unset KINESIS_ENDPOINT',
      );
      // Refused connections are reported as such, and where: the answer says so, the terminal where.
      const early = await track(collectorUrl, 'too-early');
      expect(early.status).toBe(503);
      expect(((await early.json()) as { error: string }).error).toContain(
        'its stream could not take them (ECONNREFUSED: connection refused)',
      );
      await waitForOutput(
        started,
        new RegExp(`fails with ECONNREFUSED: connection refused at 127\\.0\\.0\\.1:${port} `),
      );

      await new Promise<void>((resolve) => emulator.listen(port, '127.0.0.1', resolve));
      await waitForOutput(started, /answers now; streams late(, late-failed)? ready/);
      expect((await track(collectorUrl, 'in-time')).status).toBe(200);
      const kinesis = emulatorClient(endpoint, 'us-east-1');
      expect((await readAllRecords(kinesis, 'late')).map((record) => record.json.event_id)).toEqual([
        'in-time',
      ]);
      kinesis.destroy();
    } finally {
      await killStarted(started);
      await new Promise((resolve) => emulator.close(resolve));
    }
  }, 120_000);
});
