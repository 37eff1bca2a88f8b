import { type ChildProcess, spawn } from 'node:child_process';
import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import type { Browser } from 'playwright-core';
import { ensureStream } from '../../local/streams';
import { RequestLog, sharedBrowser } from '../support/browser';
import { bundledEntry } from '../support/bundled-entry';
import { useTestKinesis } from '../support/test-collector';
import { envelope, eventually, putEnvelopes, REPO_ROOT } from './tail-support';

interface LiveRun {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** The exit status, or the signal that ended it. */
  readonly exited: Promise<number | NodeJS.Signals | null>;
}

/**
 * `npm run live -- ...` as operations.md shows it (`'npm'`), or the entry point alone as one Node
 * process from its esbuild bundle (`{ bundle }`, test/support/bundled-entry.ts: the same code without
 * npm's and tsx's start-up; its own exit status is seen), in a process group of its own.
 */
function runLive(args: readonly string[], how: 'npm' | { readonly bundle: string }): LiveRun {
  const env = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  const child =
    how === 'npm'
      ? spawn('npm', ['run', 'live', '--', ...args], { cwd: REPO_ROOT, env, detached: true })
      : spawn(process.execPath, [how.bundle, ...args], { cwd: REPO_ROOT, env, detached: true });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) =>
    child.on('close', (code, signal) => resolve(code ?? signal)),
  );
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Ctrl-C as a terminal sends it: to the whole process group (npm, tsx and the command). */
const interrupt = (run: LiveRun) => process.kill(-(run.child.pid as number), 'SIGINT');

const pageUrl = (run: LiveRun) => /Live events: (http:\/\/127\.0\.0\.1:\d+\/_debug)/.exec(run.stdout())?.[1];

describe('npm run live against kinesalite', () => {
  const kinesis = useTestKinesis();
  let browser: Browser;
  /** live as one Node process, from its bundle (the npm script itself: the first test). */
  let live: { readonly bundle: string };

  beforeAll(async () => {
    [browser, live] = await Promise.all([
      sharedBrowser(),
      bundledEntry('bin/live.ts').then((bundle) => ({ bundle })),
    ]);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('serves the live events page on 127.0.0.1 with the stream’s events and the failed events of <stream>-failed, and stops on Ctrl-C', async () => {
    // Prepare: a stream and its failed-events stream; live started with the command
    // docs/operations.md shows (test/docs/commands.test.ts counts on this test to run it).
    const stream = 'events';
    await ensureStream(kinesis.client, stream, 2);
    await ensureStream(kinesis.client, `${stream}-failed`, 1);
    const run = runLive(['--endpoint', kinesis.endpoint, '--stream', 'events', '--port', '0'], 'npm');
    await eventually('live prints the page address', () => pageUrl(run) !== undefined, 30_000);
    const url = pageUrl(run) as string;
    expect(run.stdout()).toContain(`reading "${stream}" and "${stream}-failed" (new records)`);
    const context = await browser.newContext();
    const log = await RequestLog.attach(context);
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(url.replace(/\/_debug$/, '/'));
    await page.waitForSelector('#connection[data-state="open"]');

    // Act: one event in the stream, one failure record (docs/envelope.md) in the failed stream.
    await putEnvelopes(kinesis.client, stream, [
      envelope({ id: 'live-accepted-1', userId: 'ann', event: 'Cart Viewed' }),
    ]);
    const failure = {
      failure: { reason: 'track requires a non-empty event', code: 'missing_event', stage: 'validation' },
      event_id: 'live-failed-1',
      source_id: 'web',
      received_at: new Date().toISOString(),
      request: {
        path: '/v1/track',
        contentType: 'application/json',
        contentEncoding: null,
        bytes: 64,
        index: 0,
      },
      payload: { type: 'track', userId: 'mallory', messageId: 'live-failed-1', properties: {} },
    };
    await kinesis.client.send(
      new PutRecordCommand({
        StreamName: `${stream}-failed`,
        PartitionKey: 'mallory',
        Data: Buffer.from(JSON.stringify(failure)),
      }),
    );

    // Assess: both rows, with their status; the failed one with its reason and the event as sent.
    const accepted = page.locator('.entry[data-status="accepted"][data-event-id="live-accepted-1"]');
    const failed = page.locator('.entry[data-status="failed"][data-event-id="live-failed-1"]');
    await accepted.waitFor({ timeout: 15_000 });
    await failed.waitFor({ timeout: 15_000 });
    expect(await accepted.locator('.name').textContent()).toBe('Cart Viewed');
    expect(await failed.locator('.status').textContent()).toBe('failed');
    expect(await failed.locator('.where').textContent()).toBe('track requires a non-empty event');
    expect(await failed.locator('.user').textContent()).toBe('mallory');
    expect(await failed.locator('.source').textContent()).toBe('web');
    await failed.locator('.row').click();
    // Empty fields are hidden by default (properties: {}); the toggle shows the payload as kept.
    const { properties: _empty, ...withoutEmpty } = failure.payload;
    expect(JSON.parse((await failed.locator('pre.json').textContent()) ?? 'null')).toEqual(withoutEmpty);
    await page.getByLabel('hide empty fields').uncheck();
    expect(JSON.parse((await failed.locator('pre.json').textContent()) ?? 'null')).toEqual(failure.payload);
    await page.locator('.chip[data-status="failed"]').click();
    expect(await page.locator('.entry:visible').count()).toBe(1);
    // No answers reach live: the failed stream's count shows, and no refused counter or filter that could never change.
    expect(Number(await page.locator('#rate-failed').textContent())).toBe(1);
    expect(await page.locator('#rate-rejected, .chip[data-status="rejected"]').count()).toBe(0);
    expect(await page.locator('.chip[data-status="failed"] .n').textContent()).toBe('1');
    expect(await page.locator('#destination option').allTextContents()).toEqual([`${stream} · ${stream}`]);
    expect(log.offLoopback()).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();

    // npm itself ends by the signal it got; the command stops cleanly under it (next test: status 0).
    interrupt(run);
    expect(await run.exited).not.toBe(2);
    expect(run.stderr()).toBe('');
  }, 90_000);

  it('says there is no failed-events stream, serves the page without it, and exits 0 on Ctrl-C', async () => {
    const stream = `live-${process.pid}-alone`;
    await ensureStream(kinesis.client, stream, 1);

    const run = runLive(['--endpoint', kinesis.endpoint, '--stream', stream, '--port', '0'], live);
    await eventually('live prints the page address', () => pageUrl(run) !== undefined, 30_000);
    const html = await fetch(pageUrl(run) as string);

    expect(run.stdout()).toContain(`no failed-events stream "${stream}-failed" at ${kinesis.endpoint}`);
    expect(html.status).toBe(200);
    expect(html.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await html.text()).toContain(`stream &#34;${stream}&#34; at ${kinesis.endpoint}`);
    interrupt(run);
    expect(await run.exited).toBe(0);
  }, 60_000);

  it('fails with exit status 2 and one line naming the stream when the stream does not exist', async () => {
    const run = runLive(['--endpoint', kinesis.endpoint, '--stream', 'no-such-stream', '--port', '0'], live);

    expect(await run.exited).toBe(2);
    expect(run.stderr().trim().split('\n')).toEqual([
      `live: stream "no-such-stream" not found at ${kinesis.endpoint}: check --stream, and --endpoint or --region`,
    ]);
  }, 60_000);
});
