/**
 * One headless Chromium for a whole jest run, served to every test file over Playwright's browser
 * protocol (test/support/browser.ts `sharedBrowser()` starts it once per run and connects; each file
 * works in its own BrowserContexts). Plain JavaScript run with `node`: no tsx start-up per run.
 *
 * Argument: one JSON object `{ executablePath, args, endpointFile, idleMs }`. When Chromium is up it
 * writes `{ wsEndpoint, pid }` to `endpointFile` (whole, by rename). Clients connect through a small
 * loopback TCP relay that counts them: the server closes Chromium and exits when no client has been
 * connected for `idleMs` (a killed jest run, `--runInBand` or a one-file run leaves nothing behind),
 * on SIGTERM/SIGINT/SIGHUP (test/support/global-teardown.ts), and when Chromium itself goes away.
 */
const { renameSync, writeFileSync } = require('node:fs');
const net = require('node:net');
const { chromium } = require('playwright-core');

/** Longest a graceful Chromium close may take before it is killed. */
const CLOSE_TIMEOUT_MS = 10_000;

async function main() {
  const options = JSON.parse(process.argv[2] ?? '{}');
  const browserServer = await chromium.launchServer({
    executablePath: options.executablePath,
    headless: true,
    args: options.args,
    host: '127.0.0.1',
    timeout: 60_000,
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  const upstream = new URL(browserServer.wsEndpoint());
  const clients = new Set();
  let idleTimer;
  let stopping = false;

  const stop = async (why, code) => {
    if (stopping) return;
    stopping = true;
    clearTimeout(idleTimer);
    relay.close();
    for (const client of clients) client.destroy();
    process.stderr.write(`browser-server ${process.pid}: stopping (${why})\n`);
    const killer = setTimeout(() => browserServer.kill().catch(() => undefined), CLOSE_TIMEOUT_MS);
    await browserServer.close().catch(() => browserServer.kill());
    clearTimeout(killer);
    process.exit(code);
  };
  const armIdleExit = () => {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      if (clients.size === 0) void stop(`no client for ${options.idleMs} ms`, 0);
    }, options.idleMs);
  };

  const relay = net.createServer((client) => {
    if (stopping) {
      client.destroy();
      return;
    }
    clearTimeout(idleTimer);
    clients.add(client);
    const target = net.connect(Number(upstream.port), upstream.hostname);
    client.pipe(target);
    target.pipe(client);
    const done = () => {
      client.destroy();
      target.destroy();
      if (clients.delete(client) && clients.size === 0 && !stopping) armIdleExit();
    };
    for (const socket of [client, target]) {
      socket.on('error', done);
      socket.on('close', done);
    }
  });
  await new Promise((resolve, reject) => {
    relay.once('error', reject);
    relay.listen(0, '127.0.0.1', resolve);
  });
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, () => void stop(signal, 0));
  browserServer.on('close', () => void stop('Chromium closed', 1));
  armIdleExit();

  const { port } = relay.address();
  const endpoint = { wsEndpoint: `ws://127.0.0.1:${port}${upstream.pathname}`, pid: process.pid };
  writeFileSync(`${options.endpointFile}.partial`, JSON.stringify(endpoint));
  renameSync(`${options.endpointFile}.partial`, options.endpointFile);
}

main().catch((error) => {
  process.stderr.write(`browser-server ${process.pid}: ${error?.stack ?? error}\n`);
  process.exit(1);
});
