import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { emulatorClient } from '../../local/local-mode';
import { npmStart, signalGroup, waitForOutput } from '../support/npm-start';
import { readAllRecords } from '../support/stream-reader';
import { startTestKinesis } from '../support/test-collector';

const portOf = (url: string) => Number(new URL(url).port);

async function isListening(port: number): Promise<boolean> {
  try {
    await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1000) });
    return true;
  } catch {
    return false;
  }
}

describe('npm start, the local collector', () => {
  it('prints its URLs and write key, takes a tracked event into the stream, serves analytics.js settings, and stops cleanly on Ctrl-C', async () => {
    const started = npmStart({
      PORT: '0',
      KINESIS_PORT: '0',
      STREAM_NAME: 'start-test',
      WRITE_KEY: 'start-key',
    });
    try {
      const collectorUrl = (await waitForOutput(started, /Collector URL:\s+(\S+)/))[1] as string;
      const kinesisEndpoint = (await waitForOutput(started, /Kinesis endpoint:\s+(\S+)/))[1] as string;
      expect(started.output()).toMatch(/Stream:\s+start-test \(2 shards\)/);
      expect(started.output()).toMatch(/Write key:\s+start-key \(source "dev"\)/);

      const response = await fetch(`${collectorUrl}/v1/track`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from('start-key:').toString('base64')}` },
        body: JSON.stringify({ userId: 'user-1', event: 'Signed Up', messageId: 'from-curl' }),
      });
      expect(response.status).toBe(200);
      const kinesis = emulatorClient(kinesisEndpoint, 'us-east-1');
      const records = await readAllRecords(kinesis, 'start-test');
      kinesis.destroy();
      expect(records.map((r) => [r.json.event_id, r.json.source_id, r.partitionKey])).toEqual([
        ['from-curl', 'dev', 'user-1'],
      ]);

      // A thousand requests, 25 at a time, of the kinds a browser sends (tracks, which used to print
      // one EMF line each; analytics-next telemetry and a wrong key, which printed Powertools' "No
      // application metrics to publish"), leave the terminal as it was: the banner the last thing
      // printed (LOCAL_METRICS unset: the live page's counters show the traffic).
      const bannerPrinted = started.output();
      const requestOf = (n: number): [string, RequestInit] => {
        const kind = n % 5;
        const key = kind === 4 ? 'wrong-key' : 'start-key';
        const init = {
          method: 'POST',
          headers: { authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}` },
        };
        return kind === 3
          ? [`${collectorUrl}/v1/m`, { ...init, body: JSON.stringify({ series: [] }) }]
          : [
              `${collectorUrl}/v1/track`,
              {
                ...init,
                body: JSON.stringify({ userId: `u${n % 7}`, event: 'Load', messageId: `load-${n}` }),
              },
            ];
      };
      const statuses = new Map<number, number>();
      for (let wave = 0; wave < 40; wave++) {
        const answers = await Promise.all(
          Array.from({ length: 25 }, (_, index) => fetch(...requestOf(wave * 25 + index))),
        );
        for (const answer of answers) {
          statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
          await answer.arrayBuffer();
        }
      }
      expect(Object.fromEntries(statuses)).toEqual({ 200: 800, 401: 200 });
      expect(started.output()).not.toMatch(/_aws|CloudWatchMetrics|metrics to publish/);
      expect(started.output()).toBe(bannerPrinted);
      expect(bannerPrinted).toMatch(/Press Ctrl-C to stop\.\n$/);

      const settings = await fetch(`${collectorUrl}/v1/projects/start-key/settings`, {
        headers: { origin: 'http://localhost:3000' },
      });
      expect(settings.status).toBe(200);
      expect(settings.headers.get('access-control-allow-origin')).toBe('*');
      expect(await settings.json()).toMatchObject({
        integrations: {
          'Segment.io': {
            apiKey: 'start-key',
            apiHost: `127.0.0.1:${portOf(collectorUrl)}/v1`,
            protocol: 'http',
          },
        },
      });
      expect((await fetch(`${collectorUrl}/v1/projects/other-key/settings`)).status).toBe(404);

      signalGroup(started);
      // npm re-raises the SIGINT its script got; the collector itself stopped cleanly and said so.
      expect([0, 'SIGINT']).toContain(await started.exited);
      expect(started.output()).toContain('SIGINT: stopping the collector and the emulator');
      expect(await isListening(portOf(collectorUrl))).toBe(false);
      expect(await isListening(portOf(kinesisEndpoint))).toBe(false);
    } finally {
      signalGroup(started, 'SIGKILL');
    }
  }, 120_000);

  it('writes to an already running Kinesis endpoint given in KINESIS_ENDPOINT, and prints EMF metric lines when LOCAL_METRICS=emf asks for them', async () => {
    const kinesisServer = await startTestKinesis();
    const started = npmStart({
      PORT: '0',
      KINESIS_ENDPOINT: kinesisServer.endpoint,
      STREAM_NAME: 'external',
      LOCAL_METRICS: 'emf',
    });
    try {
      const collectorUrl = (await waitForOutput(started, /Collector URL:\s+(\S+)/))[1] as string;
      expect(started.output()).toContain(`Kinesis endpoint: ${kinesisServer.endpoint}\n`);
      const response = await fetch(`${collectorUrl}/v1/identify?writeKey=dev-write-key`, {
        method: 'POST',
        body: JSON.stringify({ userId: 'user-2', messageId: 'external-1' }),
      });
      expect(response.status).toBe(200);
      const kinesis = emulatorClient(kinesisServer.endpoint, 'us-east-1');
      expect((await readAllRecords(kinesis, 'external')).map((r) => r.json.event_id)).toEqual(['external-1']);
      const emf = JSON.parse((await waitForOutput(started, /^\{"_aws".*"EventsAccepted".*$/m))[0]) as Record<
        string,
        unknown
      >;
      expect(emf.EventsAccepted).toBe(1);
      kinesis.destroy();
      signalGroup(started);
      expect([0, 'SIGINT']).toContain(await started.exited);
    } finally {
      signalGroup(started, 'SIGKILL');
      await kinesisServer.stop();
    }
  });

  it('says which port is taken and what to do when PORT is in use', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as AddressInfo;
    const started = npmStart({ PORT: String(port), KINESIS_PORT: '0' });
    try {
      expect(await started.exited).toBe(1);
      expect(started.output()).toContain(
        `Port ${port} is already in use: stop what uses it or set PORT to a free port`,
      );
    } finally {
      signalGroup(started, 'SIGKILL');
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('says which port is taken when KINESIS_PORT is in use', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as AddressInfo;
    const started = npmStart({ PORT: '0', KINESIS_PORT: String(port) });
    try {
      expect(await started.exited).toBe(1);
      expect(started.output()).toMatch(new RegExp(`port ${port} is already in use: .*set KINESIS_PORT`));
    } finally {
      signalGroup(started, 'SIGKILL');
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});
