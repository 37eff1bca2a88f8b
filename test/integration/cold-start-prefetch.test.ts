import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { PREFETCH_JOIN_MS } from '../../lambda/cold-start/prefetch';
import { createCollector } from '../../lambda/collector';
import { type ApiGatewayServer, startApiGatewayServer } from '../../local/api-gateway-server';
import { type CapturedOutput, captureOutput } from '../support/assume-role-collector';
import { sendBatch, trackBatch } from '../support/collector-requests';
import { type DeployedEnvironment, startDeployedEnvironment } from '../support/deployed-environment';
import { type HoldingFrontAnswer, startHoldingFront } from '../support/holding-front';
import { type StsFaultFront, startStsFaultFront } from '../support/sts-fault-front';

const EXTERNAL_ID = 'ext-cold-start-5120';
const WRITE_KEY = 'cold-start-write-key';

/** Fails with `what` if `promise` has not settled within `ms` (a guard against a hang, not a timing). */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A new container of the collector (`createCollector`, as `lambda/index.ts` builds it at init) with the
 * synthesized template's environment, its Secrets Manager and STS calls going through holding fronts
 * (which tell when each call arrives, and hold the answers `decide` says to hold), behind the local
 * API Gateway. Logs at DEBUG, captured.
 */
describe('a new container with its configuration in the environment (cold start)', () => {
  let deployed: DeployedEnvironment;
  const savedEnv = { ...process.env };
  let fronts: { stop(): Promise<void> }[] = [];
  let collector: ApiGatewayServer | undefined;
  let output: CapturedOutput | undefined;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    deployed = await startDeployedEnvironment({ externalId: EXTERNAL_ID });
    deployed.putWriteKeys(WRITE_KEY);
    process.on('unhandledRejection', onUnhandled);
  }, 120_000);

  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await deployed?.stop();
  });

  afterEach(async () => {
    output?.restore();
    output = undefined;
    await collector?.close();
    collector = undefined;
    for (const front of fronts) await front.stop();
    fronts = [];
    for (const name of Object.keys(process.env)) if (!(name in savedEnv)) delete process.env[name];
    Object.assign(process.env, savedEnv);
  });

  /** Starts a container whose AWS calls go to `endpoints`; returns the URL of its API Gateway. */
  async function startContainer(endpoints: { secretsManager: string; sts: string }, env = {}) {
    for (const name of Object.keys(process.env)) if (name.startsWith('AWS_')) delete process.env[name];
    Object.assign(process.env, deployed.env, {
      AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoints.secretsManager,
      AWS_ENDPOINT_URL_STS: endpoints.sts,
      ...env,
    });
    output = captureOutput();
    const handler = createCollector({
      env: process.env,
      logger: new Logger({ serviceName: 'kinesis-event-forwarder', logLevel: 'DEBUG' }),
      metrics: new Metrics({ namespace: 'KinesisEventForwarder', serviceName: 'kinesis-event-forwarder' }),
    });
    collector = await startApiGatewayServer({ handler, port: 0 });
    return collector.url;
  }

  /** Holding fronts for Secrets Manager and STS, logging each arrival in `log`. */
  async function holdingFronts(log: string[], decide: (arrival: number) => HoldingFrontAnswer) {
    const secretsManager = await startHoldingFront(deployed.secretsManager.endpoint, (arrival) => {
      log.push('GetSecretValue');
      return decide(arrival);
    });
    const sts = await startHoldingFront(deployed.sts.endpoint, (arrival) => {
      log.push('AssumeRole');
      return decide(arrival);
    });
    fronts.push(secretsManager, sts);
    return { secretsManager, sts };
  }

  const secretReads = (arn = deployed.writeKeysSecretArn) => deployed.secretsManager.reads.get(arn) ?? 0;
  const logLines = (level: string) => (output?.lines() ?? []).filter((line) => line.level === level);

  it('starts reading the write keys and assuming the writer role during init, and the first request reuses both (one GetSecretValue, one AssumeRole)', async () => {
    // Prepare: both stand-ins hold their first answer, so both calls are in flight at once.
    const log: string[] = [];
    const { secretsManager, sts } = await holdingFronts(log, (arrival) => (arrival === 1 ? 'hold' : 'pass'));
    const stsCallsBefore = deployed.sts.calls().length;
    const readsBefore = secretReads();

    // Act: a container starts; no request yet.
    const url = await startContainer({ secretsManager: secretsManager.url, sts: sts.url });
    await within(
      Promise.all([secretsManager.arrived(1), sts.arrived(1)]),
      10_000,
      'the secret read and the AssumeRole, side by side, with no request',
    );
    log.push('first request');
    const answer = sendBatch(url, WRITE_KEY, trackBatch('prefetch-first', 10));
    secretsManager.release();
    sts.release();

    // Assess: the first request was answered from the calls started at init, and made no other.
    expect([(await answer).status, (await answer).body.accepted]).toEqual([200, 10]);
    expect([...log.slice(0, 2)].sort()).toEqual(['AssumeRole', 'GetSecretValue']);
    expect(log.slice(2)).toEqual(['first request']);
    expect([secretsManager.arrivals, sts.arrivals]).toEqual([1, 1]);
    expect(secretReads() - readsBefore).toBe(1);
    expect(
      deployed.sts
        .calls()
        .slice(stsCallsBefore)
        .map((call) => [call.externalId, call.allowed]),
    ).toEqual([[EXTERNAL_ID, true]]);
    const ids = (await deployed.records()).map((record) => String(record.json.event_id));
    expect(ids.filter((id) => id.startsWith('prefetch-first')).sort()).toEqual(
      trackBatch('prefetch-first', 10)
        .map((event) => event.messageId)
        .sort(),
    );
    expect(unhandled).toEqual([]);
  });

  it('takes the answers of the calls started at init once they are in, without asking again', async () => {
    // Prepare
    const { secretsManager, sts } = await holdingFronts([], () => 'pass');
    const url = await startContainer({ secretsManager: secretsManager.url, sts: sts.url });
    await within(
      Promise.all([secretsManager.answered(1), sts.answered(1)]),
      10_000,
      'both answers, with no request',
    );

    // Act: a first request, then a second.
    const first = await sendBatch(url, WRITE_KEY, trackBatch('prefetch-done', 3));
    const second = await sendBatch(url, WRITE_KEY, trackBatch('prefetch-done-2', 3));

    // Assess
    expect([first.status, second.status]).toEqual([200, 200]);
    expect([secretsManager.arrivals, sts.arrivals]).toEqual([1, 1]);
    expect(logLines('ERROR')).toEqual([]);
  });

  it('a prefetch that fails leaves the first request to fetch again', async () => {
    // Prepare: at init the secret does not exist yet and STS refuses the first AssumeRole.
    const laterSecretArn = `${deployed.writeKeysSecretArn}-later`;
    const stsFault: StsFaultFront = await startStsFaultFront(deployed.sts.endpoint);
    stsFault.script.push('refuse');
    const secretsManager = await startHoldingFront(deployed.secretsManager.endpoint);
    const sts = await startHoldingFront(stsFault.url);
    fronts.push(stsFault, secretsManager, sts);

    // Act: the container starts; both prefetches fail; then the secret is created and a request comes.
    const url = await startContainer(
      { secretsManager: secretsManager.url, sts: sts.url },
      { WRITE_KEYS_SECRET_ARN: laterSecretArn },
    );
    await within(
      Promise.all([secretsManager.answered(1), sts.answered(1)]),
      10_000,
      'both refusals, with no request',
    );
    const source = deployed.collectorConfig.sources[0]?.id as string;
    deployed.secretsManager.put(laterSecretArn, JSON.stringify({ [source]: WRITE_KEY }));
    const answer = await sendBatch(url, WRITE_KEY, trackBatch('prefetch-failed', 4));

    // Assess: the request fetched both itself, and the failures cost one debug line each, nothing more.
    expect([answer.status, answer.body.accepted]).toEqual([200, 4]);
    expect(secretReads(laterSecretArn)).toBe(2);
    expect(stsFault.counts).toMatchObject({ refuse: 1, pass: 1 });
    expect(logLines('DEBUG').filter((line) => String(line.message).startsWith('Prefetching'))).toEqual([
      expect.objectContaining({ message: expect.stringContaining('the write keys') }),
      expect.objectContaining({ message: expect.stringContaining('the writer role credentials') }),
    ]);
    expect([...logLines('WARN'), ...logLines('ERROR')]).toEqual([]);
    expect(unhandled).toEqual([]);
  });

  it(`does not wait on calls started at init that are still unanswered ${PREFETCH_JOIN_MS} ms later (a freeze right after init)`, async () => {
    // Prepare: the first call of each never gets its answer, as after a freeze with it in flight.
    const { secretsManager, sts } = await holdingFronts([], (arrival) => (arrival === 1 ? 'hold' : 'pass'));
    const url = await startContainer({ secretsManager: secretsManager.url, sts: sts.url });
    await within(Promise.all([secretsManager.arrived(1), sts.arrived(1)]), 10_000, 'both calls at init');

    // Act: the first request comes once the calls are older than the bound (the clock moved on, as after a thaw).
    await sleep(PREFETCH_JOIN_MS + 100);
    const answer = await within(
      sendBatch(url, WRITE_KEY, trackBatch('prefetch-thawed', 2)),
      20_000,
      'the answer to the first request',
    );

    // Assess: it asked both again, and was answered while the calls of init still hang.
    expect(answer.status).toBe(200);
    expect([secretsManager.arrivals, sts.arrivals]).toEqual([2, 2]);
    secretsManager.release();
    sts.release();
    await within(Promise.all([secretsManager.answered(2), sts.answered(2)]), 10_000, 'the held answers');
  });
});
