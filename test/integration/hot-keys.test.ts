import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { createCollector } from '../../lambda/collector';
import type { RuntimeConfigInput } from '../../lambda/config/runtime-config';
import { partitionKeyHash } from '../../lambda/delivery/hot-key-record-writer';
import { type ApiGatewayServer, startApiGatewayServer } from '../../local/api-gateway-server';
import { emulatorClient, emulatorCredentials } from '../../local/local-mode';
import { ensureStream } from '../../local/streams';
import { captureOutput } from '../support/assume-role-collector';
import { envelopeSchemaErrors } from '../support/envelope-schema';
import { readAllRecords } from '../support/stream-reader';
import { startTestKinesis } from '../support/test-collector';

const HOT_USER = 'load-test-user';

describe('hot-key relief through the deployed entry point and kinesalite', () => {
  it('writes a key past its threshold under spread keys on both shards, marked overflow, counted and logged by hash', async () => {
    const kinesisServer = await startTestKinesis();
    const kinesis = emulatorClient(kinesisServer.endpoint, 'us-east-1');
    const streamName = `hot-keys-${process.pid}`;
    await ensureStream(kinesis, streamName, 2);
    const config: RuntimeConfigInput = {
      sources: [{ id: 'web', writeKeys: ['hot-key'], destinations: ['main'] }],
      destinations: [
        {
          id: 'main',
          streamName,
          region: 'us-east-1',
          endpoint: kinesisServer.endpoint,
          credentials: emulatorCredentials(),
          hotKeys: { recordsPerSecond: 10 },
        },
      ],
    };
    const output = captureOutput();
    const collector: ApiGatewayServer = await startApiGatewayServer({
      handler: createCollector({
        env: { COLLECTOR_CONFIG: JSON.stringify(config) },
        logger: new Logger({ serviceName: 'kinesis-event-forwarder', logLevel: 'INFO' }),
        metrics: new Metrics({ namespace: 'KinesisEventForwarder', serviceName: 'kinesis-event-forwarder' }),
      }),
      port: 0,
    });
    try {
      const batch = [
        ...Array.from({ length: 30 }, (_, n) => ({
          type: 'track',
          event: 'Tick',
          userId: HOT_USER,
          messageId: `hot-${n}`,
        })),
        { type: 'track', event: 'Tick', userId: 'u-1', messageId: 'calm-1' },
      ];
      const response = await fetch(`${collector.url}/v1/batch`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from('hot-key:').toString('base64')}` },
        body: JSON.stringify({ batch }),
      });
      expect(response.status).toBe(200);

      const records = await readAllRecords(kinesis, streamName);
      expect(records).toHaveLength(31);
      const overflow = (json: Record<string, unknown>) =>
        (json.context as { kinesis_event_forwarder?: { overflow?: unknown } }).kinesis_event_forwarder
          ?.overflow;
      const spread = records.filter((record) => overflow(record.json) === true);
      expect(spread).toHaveLength(20);
      for (const record of spread) {
        expect(record.partitionKey).toMatch(new RegExp(`^${HOT_USER}#\\d+$`));
        expect(record.json.user_id).toBe(HOT_USER);
        expect(envelopeSchemaErrors(record.json)).toEqual([]);
      }
      expect(new Set(spread.map((record) => record.shardId)).size).toBe(2);
      const kept = records.filter((record) => overflow(record.json) === undefined);
      expect(kept.map((record) => record.partitionKey).sort()).toEqual([...Array(10).fill(HOT_USER), 'u-1']);

      const lines = output.lines();
      const emitted = lines.filter((line) => line._aws !== undefined && 'HotKeyOverflow' in line);
      expect(emitted.map((line) => line.HotKeyOverflow)).toEqual([20]);
      const logged = lines.filter((line) => line.keyHash !== undefined);
      expect(logged).toEqual([
        expect.objectContaining({ level: 'WARN', keyHash: partitionKeyHash(HOT_USER), trigger: 'rate' }),
      ]);
      expect(JSON.stringify(logged)).not.toContain(HOT_USER);
    } finally {
      output.restore();
      await collector.close();
      kinesis.destroy();
      await kinesisServer.stop();
    }
  });
});
