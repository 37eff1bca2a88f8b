import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuShareOf } from '../../tools/lambda-runtime/cpu-quota-cgroup';
import {
  LambdaInitError,
  node24Binary,
  runtimeInterfaceClientEntry,
  runtimeNodeFlags,
  startLambdaProcess,
} from '../../tools/lambda-runtime/lambda-process';

/** A function that counts its invocations in module state, so warm and cold containers can be told apart. */
const FUNCTION_SOURCE = `
let invocations = 0;
const loadedAt = Date.now();
exports.handler = async (event, context) => {
  invocations += 1;
  if (event.fail) throw new TypeError('asked to fail');
  return {
    invocations,
    event,
    node: process.version,
    requestId: context.awsRequestId,
    remainingMs: context.getRemainingTimeInMillis(),
    memoryLimitInMB: context.memoryLimitInMB,
    taskRoot: process.env.LAMBDA_TASK_ROOT,
    custom: process.env.CUSTOM_SETTING,
    loadedAt,
  };
};
`;

describe('the Lambda runtime harness (aws-lambda-ric on Node 24 against a local Runtime API)', () => {
  let codeDir: string;

  beforeAll(() => {
    codeDir = mkdtempSync(join(tmpdir(), 'lambda-runtime-test-'));
    writeFileSync(join(codeDir, 'index.js'), FUNCTION_SOURCE);
    writeFileSync(join(codeDir, 'broken.js'), "throw new Error('broken at load time');\n");
  });

  afterAll(() => rmSync(codeDir, { recursive: true, force: true }));

  it('initialises the function, then serves a first and warm invocations from the same container', async () => {
    // Prepare
    const lambda = await startLambdaProcess({
      codeDir,
      memorySizeMb: 512,
      environment: { CUSTOM_SETTING: 'from-template' },
    });
    try {
      // Act
      const first = await lambda.invoke({ n: 1 }, { requestId: 'request-1', timeoutMs: 5_000 });
      const second = await lambda.invoke({ n: 2 });
      const third = await lambda.invoke({ n: 3 });

      // Assess
      expect(lambda.initMs).toBeGreaterThan(0);
      expect(first).toMatchObject({ requestId: 'request-1', outcome: 'response' });
      const answers = [first, second, third].map((invocation) => JSON.parse(invocation.body));
      expect(answers.map((answer) => [answer.invocations, answer.event.n])).toEqual([
        [1, 1],
        [2, 2],
        [3, 3],
      ]);
      expect(answers[0]).toMatchObject({
        node: expect.stringMatching(/^v24\./),
        requestId: 'request-1',
        memoryLimitInMB: '512',
        taskRoot: codeDir,
        custom: 'from-template',
      });
      expect(answers[0].remainingMs).toBeGreaterThan(0);
      expect(answers[0].remainingMs).toBeLessThanOrEqual(5_000);
      expect(new Set(answers.map((answer) => answer.loadedAt)).size).toBe(1);
      for (const invocation of [first, second, third]) expect(invocation.durationMs).toBeGreaterThan(0);
      expect(lambda.peakRssBytes()).toBeGreaterThan(10 * 1024 * 1024);
      expect(lambda.peakRssBytes()).toBeGreaterThanOrEqual(lambda.rssBytes());
    } finally {
      await lambda.stop();
    }
  }, 60_000);

  it('reports a handler that throws as an invocation error and keeps the container for the next event', async () => {
    // Prepare
    const lambda = await startLambdaProcess({ codeDir });
    try {
      // Act
      const failed = await lambda.invoke({ fail: true });
      const next = await lambda.invoke({ fail: false });

      // Assess
      expect(failed.outcome).toBe('error');
      expect(JSON.parse(failed.body)).toMatchObject({
        errorType: 'TypeError',
        errorMessage: 'asked to fail',
      });
      expect(next.outcome).toBe('response');
      expect(JSON.parse(next.body).invocations).toBe(2);
    } finally {
      await lambda.stop();
    }
  }, 60_000);

  it('answers an event sent after the process was frozen between invocations', async () => {
    // Prepare
    const lambda = await startLambdaProcess({ codeDir });
    try {
      await lambda.invoke({ n: 1 });

      // Act
      const frozenFor = 300;
      const before = Date.now();
      await lambda.freeze(frozenFor);
      const after = await lambda.invoke({ n: 2 });

      // Assess
      expect(Date.now() - before).toBeGreaterThanOrEqual(frozenFor);
      expect(after.outcome).toBe('response');
      expect(JSON.parse(after.body).invocations).toBe(2);
    } finally {
      await lambda.stop();
    }
  }, 60_000);

  it('fails start-up with the init error the runtime posted and the runtime output', async () => {
    // Act
    const started = startLambdaProcess({ codeDir, handler: 'broken.handler' });

    // Assess
    await expect(started).rejects.toBeInstanceOf(LambdaInitError);
    await expect(started).rejects.toThrow(/broken at load time/);
  }, 60_000);

  it("starts the runtime through the function's AWS_LAMBDA_EXEC_WRAPPER with Node's path and arguments, as the managed runtime does", async () => {
    // Prepare: a wrapper that writes down what it was started with, then starts it.
    const argsFile = join(codeDir, 'wrapper-args.txt');
    writeFileSync(
      join(codeDir, 'record-args.sh'),
      `#!/bin/sh\nprintf '%s\\n' "$@" > '${argsFile}'\nexec "$@"\n`,
      { mode: 0o755 },
    );
    const lambda = await startLambdaProcess({
      codeDir,
      environment: { AWS_LAMBDA_EXEC_WRAPPER: '/var/task/record-args.sh' },
    });
    try {
      // Act
      const answer = await lambda.invoke({ n: 1 });

      // Assess
      expect(answer.outcome).toBe('response');
      const args = readFileSync(argsFile, 'utf8').trim().split('\n');
      expect(args[0]).toBe(node24Binary());
      expect(args.slice(1, -1)).toEqual(runtimeNodeFlags(256));
      expect(args.at(-1)).toBe(runtimeInterfaceClientEntry());
    } finally {
      await lambda.stop();
    }
  }, 60_000);

  it('fails start-up when AWS_LAMBDA_EXEC_WRAPPER names no executable file, as the managed runtime does', async () => {
    // Act
    const started = startLambdaProcess({
      codeDir,
      environment: { AWS_LAMBDA_EXEC_WRAPPER: '/var/task/no-such-wrapper.sh' },
    });

    // Assess
    await expect(started).rejects.toThrow(
      /AWS_LAMBDA_EXEC_WRAPPER \/var\/task\/no-such-wrapper.sh .* is missing or not executable/,
    );
  }, 60_000);

  it('runs the process under the CPU quota of its memory size when asked', async () => {
    // Prepare
    const lambda = await startLambdaProcess({ codeDir, memorySizeMb: 128, cpuQuota: true });
    try {
      // Act
      const answer = await lambda.invoke({ n: 1 });

      // Assess
      expect(answer.outcome).toBe('response');
      expect(cpuShareOf(128)).toBeCloseTo(128 / 1769, 6);
      // At 7% of a CPU the runtime's start-up alone runs over its quota in some 100 ms periods.
      expect(lambda.throttledMs()).toBeGreaterThan(0);
    } finally {
      await lambda.stop();
    }
  }, 60_000);
});
