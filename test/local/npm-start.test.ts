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
  });

  it('writes to an already running Kinesis endpoint given in KINESIS_ENDPOINT', async () => {
    const kinesisServer = await startTestKinesis();
    const started = npmStart({
      PORT: '0',
      KINESIS_ENDPOINT: kinesisServer.endpoint,
      STREAM_NAME: 'external',
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
