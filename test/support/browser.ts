import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Browser, type BrowserContext, chromium, type Request } from 'playwright-core';
import { oncePerRun } from './once-per-run';
import { SYNTH_CACHE_DIR_ENV } from './synth-cache-dir';

/** Debian's Chromium (`apt-get install chromium`); Playwright's own browser downloads fail here. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Longest time the test run spends installing Chromium before it gives up with a message. */
export const CHROMIUM_INSTALL_TIMEOUT_MS = 8 * 60_000;

/**
 * Chromium flags that keep every request on the machine: a dead loopback proxy for anything not on
 * loopback, and a resolver that resolves nothing but localhost (Chromium calls Google's update and
 * component servers even with background networking off).
 */
export const OFFLINE_CHROMIUM_ARGS: readonly string[] = [
  '--proxy-server=http://127.0.0.1:9',
  '--proxy-bypass-list=<-loopback>;127.0.0.1;localhost',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-default-apps',
  '--disable-sync',
  '--no-first-run',
  '--metrics-recording-only',
];

/** Chromium is missing and this run cannot install it; the message says how to. */
export class ChromiumUnavailableError extends Error {
  override readonly name = 'ChromiumUnavailableError';
}

const HOW_TO_INSTALL =
  'Install it with `sudo apt-get update && sudo apt-get install -y chromium` (Debian/Ubuntu), or point ' +
  'CHROMIUM_PATH at a Chromium binary. Do not run `npx playwright install`: its downloads fail here.';

function install(): void {
  const result = spawnSync(
    'bash',
    ['-c', 'apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium'],
    { encoding: 'utf8', timeout: CHROMIUM_INSTALL_TIMEOUT_MS, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  if (result.status !== 0 || !existsSync(CHROMIUM_PATH)) {
    const why = result.error ? result.error.message : `exit status ${result.status}`;
    throw new ChromiumUnavailableError(
      `${CHROMIUM_PATH} is missing and installing it failed (${why}):\n${(result.stderr ?? '').slice(-2000)}\n${HOW_TO_INSTALL}`,
      { cause: result.error },
    );
  }
}

/**
 * Makes sure Chromium is at `CHROMIUM_PATH`: installs it with apt-get when missing and running as
 * root (one test worker installs, the others wait for it), else fails saying how to install it.
 * Browser tests never skip silently.
 */
export async function ensureChromium(): Promise<string> {
  if (existsSync(CHROMIUM_PATH)) return CHROMIUM_PATH;
  const cannotInstall =
    process.env.CHROMIUM_PATH !== undefined
      ? 'CHROMIUM_PATH names a binary that does not exist'
      : process.getuid?.() !== 0
        ? 'installing it needs root'
        : undefined;
  if (cannotInstall !== undefined) {
    throw new ChromiumUnavailableError(
      `Browser tests need Chromium at ${CHROMIUM_PATH}, and this run cannot install it (${cannotInstall}). ${HOW_TO_INSTALL}`,
    );
  }
  const lock = join(tmpdir(), 'kinesis-event-forwarder-chromium-install.lock');
  const deadline = Date.now() + CHROMIUM_INSTALL_TIMEOUT_MS + 30_000;
  while (Date.now() < deadline) {
    try {
      mkdirSync(lock);
    } catch {
      // Another test worker is installing: wait for it.
      if (existsSync(CHROMIUM_PATH)) return CHROMIUM_PATH;
      await sleep(1_000);
      continue;
    }
    try {
      if (!existsSync(CHROMIUM_PATH)) install();
      return CHROMIUM_PATH;
    } finally {
      rmdirSync(lock);
    }
  }
  throw new ChromiumUnavailableError(
    `Timed out waiting for another worker to install Chromium. ${HOW_TO_INSTALL}`,
  );
}

/**
 * `OFFLINE_CHROMIUM_ARGS` with `loopbackHosts` (host patterns like `*.site.localhost`) resolved to
 * 127.0.0.1 and sent direct: two loopback origins under one parent domain, as a site and its
 * first-party collector are. Everything else still goes to the dead proxy and resolves to nothing.
 */
export function offlineChromiumArgs(loopbackHosts: readonly string[] = []): string[] {
  if (loopbackHosts.length === 0) return [...OFFLINE_CHROMIUM_ARGS];
  return OFFLINE_CHROMIUM_ARGS.map((arg) => {
    if (arg.startsWith('--proxy-bypass-list=')) return `${arg};${loopbackHosts.join(';')}`;
    if (arg.startsWith('--host-resolver-rules=')) {
      const maps = loopbackHosts.map((host) => `MAP ${host} 127.0.0.1`).join(', ');
      return `--host-resolver-rules=${maps}, ${arg.slice('--host-resolver-rules='.length)}`;
    }
    return arg;
  });
}

/**
 * Launches Debian's Chromium headless, offline except for loopback (see `OFFLINE_CHROMIUM_ARGS`),
 * `loopbackHosts` mapped to loopback too (see {@link offlineChromiumArgs}).
 */
export async function launchOfflineChromium(
  options: { readonly loopbackHosts?: readonly string[] } = {},
): Promise<Browser> {
  const executablePath = await ensureChromium();
  return chromium.launch({
    executablePath,
    headless: true,
    args: offlineChromiumArgs(options.loopbackHosts),
    timeout: 30_000,
  });
}

/**
 * Host patterns the shared browser sends to loopback besides 127.0.0.1 and localhost: every
 * `*.localhost` name (loopback by definition, RFC 6761), so a test can put a site and its collector
 * on two origins under one parent domain (`www.site.localhost`, `collect.site.localhost`).
 */
export const SHARED_LOOPBACK_HOSTS: readonly string[] = ['*.localhost'];

/**
 * The shared browser server exits when no client has been connected for this long: a run that was
 * killed before its global teardown, or a gap between browser files, leaves no Chromium behind.
 */
export const BROWSER_SERVER_IDLE_MS = 60_000;

/** Longest the shared browser server may take to start Chromium and say where it listens. */
const BROWSER_SERVER_START_MS = 60_000;

/** How many times in a run the shared server may be started anew after an idle exit. */
const BROWSER_SERVER_GENERATIONS = 20;

/** The file, in the run's cache directory, holding the pid of one start of the browser server. */
export const browserServerPidFile = (cacheDir: string, generation: number): string =>
  join(cacheDir, `browser-server-${generation}.pid`);

interface BrowserServerEndpoint {
  readonly wsEndpoint: string;
  readonly pid: number;
}

function isRunning(pid: number): boolean {
  try {
    // A zombie (exited, not yet reaped by its parent) counts as gone.
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/**
 * Starts test/support/browser-server.js detached (its own process group: it outlives the jest
 * worker that started it, never the run) and waits for it to say where it listens. The pid file in
 * the run's cache directory is how test/support/global-teardown.ts stops it.
 */
async function startBrowserServer(
  cacheDir: string,
  generation: number,
  workDir: string,
): Promise<BrowserServerEndpoint> {
  const executablePath = await ensureChromium();
  const endpointFile = join(workDir, 'endpoint.json');
  const logFile = join(workDir, 'server.log');
  const log = openSync(logFile, 'a');
  const options = {
    executablePath,
    args: offlineChromiumArgs(SHARED_LOOPBACK_HOSTS),
    endpointFile,
    idleMs: BROWSER_SERVER_IDLE_MS,
  };
  const child = spawn(process.execPath, [join(__dirname, 'browser-server.js'), JSON.stringify(options)], {
    detached: true,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  let exit: string | undefined;
  child.once('exit', (code, signal) => {
    exit = `exit status ${code ?? signal}`;
  });
  child.once('error', (error) => {
    exit = error.message;
  });
  child.unref();
  if (child.pid !== undefined) writeFileSync(browserServerPidFile(cacheDir, generation), String(child.pid));
  const deadline = Date.now() + BROWSER_SERVER_START_MS;
  while (!existsSync(endpointFile)) {
    if (exit !== undefined || Date.now() > deadline) {
      if (exit === undefined) child.kill('SIGKILL');
      const output = existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-2000) : '';
      throw new Error(
        `The shared Chromium server did not start (${exit ?? `no endpoint within ${BROWSER_SERVER_START_MS} ms`}):\n${output}`,
      );
    }
    await sleep(50);
  }
  return JSON.parse(readFileSync(endpointFile, 'utf8')) as BrowserServerEndpoint;
}

/**
 * Debian's Chromium for a test file, shared by every file of the jest run: one headless Chromium
 * (offline as {@link OFFLINE_CHROMIUM_ARGS}, `SHARED_LOOPBACK_HOSTS` on loopback) started once per
 * run through test/support/once-per-run.ts, which each file connects to. A file works in its own
 * BrowserContexts (`browser.newContext()`, `browser.newPage()`), so cookies and storage stay its
 * own; `browser.close()` closes them and disconnects. Saves a Chromium start (~3 s of CPU) per file.
 * Outside a jest run's global setup (no run cache directory) it launches a Chromium of the file's
 * own, as {@link launchOfflineChromium} does.
 */
export async function sharedBrowser(): Promise<Browser> {
  const cacheDir = process.env[SYNTH_CACHE_DIR_ENV];
  if (cacheDir === undefined) return launchOfflineChromium({ loopbackHosts: SHARED_LOOPBACK_HOSTS });
  let lastError: unknown;
  // A server that exited after an idle minute is not started again under its key: the next start
  // is the next generation (a worker that finds one generation gone moves on to the next).
  for (let generation = 1; generation <= BROWSER_SERVER_GENERATIONS; generation++) {
    const server = await oncePerRun(
      `browser-server-${generation}`,
      (workDir) => startBrowserServer(cacheDir, generation, workDir),
      { dir: cacheDir, waitMs: CHROMIUM_INSTALL_TIMEOUT_MS + 2 * BROWSER_SERVER_START_MS },
    );
    try {
      return await chromium.connect(server.wsEndpoint, { timeout: 30_000 });
    } catch (error) {
      lastError = error;
      // Refused while going idle: wait for that server to be gone, then start the next one.
      const deadline = Date.now() + 15_000;
      while (isRunning(server.pid) && Date.now() < deadline) await sleep(100);
      if (isRunning(server.pid)) throw error;
    }
  }
  throw new Error(`Could not connect to the shared Chromium server`, { cause: lastError });
}

/** One request a page made, as the browser sent it, and the status it got (if any). */
export interface LoggedRequest {
  readonly method: string;
  readonly url: string;
  readonly resourceType: string;
  postData: string | null;
  status?: number;
  failure?: string;
}

/**
 * Every request the pages of a browser context make (documents, scripts, XHR, fetch, beacons),
 * with the status each got: proof of what the SDKs sent and of where it went.
 */
export class RequestLog {
  readonly entries: LoggedRequest[] = [];
  private readonly byRequest = new Map<Request, LoggedRequest>();

  private constructor() {}

  /**
   * Starts logging a context's requests. Chromium does not report `sendBeacon` bodies to request
   * events, so requests to URLs matching `interceptBodiesOf` pass through an interception route
   * (which sees the body and lets the request go on unchanged).
   */
  static async attach(context: BrowserContext, interceptBodiesOf?: RegExp): Promise<RequestLog> {
    const log = new RequestLog();
    context.on('request', (request) => {
      const entry: LoggedRequest = {
        method: request.method(),
        url: request.url(),
        resourceType: request.resourceType(),
        postData: request.postData(),
      };
      log.byRequest.set(request, entry);
      log.entries.push(entry);
    });
    // Set when the response event arrives, in order with the page's later requests: awaiting
    // `request.response()` on `requestfinished` took another protocol round trip, so a test that
    // waited for a later request could still read no status.
    context.on('response', (response) => {
      const entry = log.byRequest.get(response.request());
      if (entry !== undefined) entry.status = response.status();
    });
    context.on('requestfailed', (request) => {
      const entry = log.byRequest.get(request);
      if (entry !== undefined) entry.failure = request.failure()?.errorText ?? 'failed';
    });
    if (interceptBodiesOf !== undefined) {
      await context.route(interceptBodiesOf, async (route) => {
        const entry = log.byRequest.get(route.request());
        if (entry !== undefined && entry.postData === null) entry.postData = route.request().postData();
        await route.continue();
      });
    }
    return log;
  }

  /** Hosts (`host:port`) the pages sent requests to, other than `127.0.0.1`. */
  offLoopback(): string[] {
    return this.entries
      .map((entry) => new URL(entry.url))
      .filter((url) => url.protocol !== 'data:' && url.protocol !== 'blob:' && url.hostname !== '127.0.0.1')
      .map((url) => url.href);
  }

  /** Requests sent to `origin` whose path matches `path`. */
  to(origin: string, path: RegExp = /.*/): LoggedRequest[] {
    return this.entries.filter(
      (entry) => entry.url.startsWith(origin) && path.test(new URL(entry.url).pathname),
    );
  }
}
