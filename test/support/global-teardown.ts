import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SYNTH_CACHE_DIR_ENV } from './synth-cache-dir';

/** How long the shared browser server gets to close Chromium after SIGTERM before it is killed. */
const BROWSER_SERVER_STOP_MS = 15_000;

/** The process's command line, or undefined once it is gone (a zombie counts as gone). */
function commandLine(pid: number): string | undefined {
  try {
    if (/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))) return undefined;
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return undefined;
  }
}

/** Sends a signal; a process that exited meanwhile is no error. */
function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

/**
 * Stops every shared Chromium server of the run (test/support/browser.ts `sharedBrowser()`, one pid
 * file per start in the cache directory): SIGTERM lets it close Chromium, SIGKILL after a deadline.
 * Waits for each to be gone, so no Chromium outlives the run.
 */
async function stopBrowserServers(dir: string): Promise<void> {
  const pids = readdirSync(dir)
    .filter((name) => /^browser-server-\d+\.pid$/.test(name))
    .map((name) => Number(readFileSync(join(dir, name), 'utf8')))
    // The pid still names our server (not a process that got the number after it exited).
    .filter((pid) => commandLine(pid)?.includes('browser-server.js'));
  for (const pid of pids) signal(pid, 'SIGTERM');
  const deadline = Date.now() + BROWSER_SERVER_STOP_MS;
  while (pids.some((pid) => commandLine(pid) !== undefined) && Date.now() < deadline) await sleep(50);
  for (const pid of pids) if (commandLine(pid) !== undefined) signal(-pid, 'SIGKILL');
}

/**
 * jest's global teardown: stops the run's shared Chromium server, then removes the run's synth cache
 * directory made by global-setup.ts.
 */
export default async function globalTeardown(): Promise<void> {
  const dir = process.env[SYNTH_CACHE_DIR_ENV];
  if (dir === undefined) return;
  await stopBrowserServers(dir);
  rmSync(dir, { recursive: true, force: true });
}
