import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { build } from 'esbuild';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { RequestLog, sharedBrowser } from '../support/browser';
import { oncePerRun } from '../support/once-per-run';
import { type StaticServer, startStaticServer } from '../support/static-server';
import { startTestCollector, type TestCollector } from '../support/test-collector';
import { allowOnlyOrigin, type FailFirstWrites } from './delivery';

const REPO_ROOT = resolve(__dirname, '../..');

/** A page of the test site: its bundled script and the global function the bundle defines. */
const PAGES = {
  'analytics-next': 'analytics-next-page.js',
  rudderstack: 'rudderstack-page.js',
} as const;

export type SitePage = keyof typeof PAGES;

export interface TestSite extends StaticServer {
  /** The URL of a page that loads the given SDK bundle. */
  pageUrl(page: SitePage): string;
  /** Adds (or replaces) a file the site serves at `path` (`/js/x.js`); returns its URL. */
  writeFile(path: string, contents: string | Buffer): Promise<string>;
}

const html = (script: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>e2e</title></head>` +
  `<body><script src="/${script}"></script></body></html>`;

/**
 * The site's SDK bundles (the SDK npm packages bundled for the browser with esbuild, as a site's own
 * build would), built once per jest run (test/support/once-per-run.ts) into a read-only directory.
 */
function builtPages(): Promise<string> {
  return oncePerRun('e2e-site-pages', async (workDir) => {
    await Promise.all(
      Object.entries(PAGES).map(([name, entry]) =>
        build({
          entryPoints: [join(__dirname, 'pages', entry)],
          absWorkingDir: REPO_ROOT,
          bundle: true,
          format: 'iife',
          platform: 'browser',
          target: 'chrome120',
          outfile: join(workDir, `${name}.js`),
          define: { 'process.env.NODE_ENV': '"production"' },
          logLevel: 'error',
        }),
      ),
    );
    return workDir;
  });
}

/**
 * Lays the test site out in a temporary directory of its own (the run's SDK bundles copied in, a page
 * for each) and serves it from its own loopback port, so the collector is a different origin and
 * every SDK call goes through CORS.
 */
export async function startTestSite(): Promise<TestSite> {
  const [root, pages] = await Promise.all([mkdtemp(join(tmpdir(), 'kef-e2e-site-')), builtPages()]);
  await Promise.all(
    Object.keys(PAGES).map(async (name) => {
      await copyFile(join(pages, `${name}.js`), join(root, `${name}.js`));
      await writeFile(join(root, `${name}.html`), html(`${name}.js`));
    }),
  );
  const server = await startStaticServer(root);
  return {
    ...server,
    get requested() {
      return server.requested;
    },
    pageUrl: (page) => `${server.url}/${page}.html`,
    writeFile: async (path, contents) => {
      const file = join(root, path);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, contents);
      return `${server.url}${path}`;
    },
    stop: async () => {
      await server.stop();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** One page of the site in a fresh browser context, with its requests and errors recorded. */
export interface OpenedPage {
  readonly context: BrowserContext;
  readonly page: Page;
  readonly log: RequestLog;
  readonly pageErrors: string[];
}

/**
 * Offline Chromium and the test site for the `describe` block this is called in, plus the
 * collectors its tests start (all stopped after them).
 */
export function useBrowserSite() {
  let browser: Browser | undefined;
  let site: TestSite | undefined;
  const collectors: TestCollector[] = [];
  beforeAll(async () => {
    [browser, site] = await Promise.all([sharedBrowser(), startTestSite()]);
  }, 600_000);
  afterAll(async () => {
    await Promise.all(collectors.map((collector) => collector.stop()));
    await browser?.close();
    await site?.stop();
  });
  const started = () => {
    if (browser === undefined || site === undefined)
      throw new Error('useBrowserSite: used before its beforeAll ran');
    return { browser, site };
  };
  return {
    get site(): TestSite {
      return started().site;
    },
    /** How many collectors the tests have started so far. */
    get runs(): number {
      return collectors.length;
    },
    /** A collector that only the site's origin may send to, stopped after the tests. */
    async collector(faults?: FailFirstWrites): Promise<TestCollector> {
      const collector = await startTestCollector({
        config: allowOnlyOrigin(started().site.url),
        wrapWriter: faults?.wrap,
      });
      collectors.push(collector);
      return collector;
    },
    /** Opens a page of the site; `interceptBodiesOf` as for {@link RequestLog.attach}. */
    async open(name: SitePage, interceptBodiesOf?: RegExp): Promise<OpenedPage> {
      return this.openUrl(started().site.pageUrl(name), { interceptBodiesOf });
    },
    /**
     * Opens a URL in a fresh context; `beforeNavigation` prepares the context first (a fake clock,
     * routes), so it applies from the page's first script on.
     */
    async openUrl(
      url: string,
      options: {
        readonly interceptBodiesOf?: RegExp;
        readonly beforeNavigation?: (context: BrowserContext) => Promise<void>;
      } = {},
    ): Promise<OpenedPage> {
      const context = await started().browser.newContext();
      const log = await RequestLog.attach(context, options.interceptBodiesOf);
      await options.beforeNavigation?.(context);
      const page = await context.newPage();
      const pageErrors: string[] = [];
      page.on('pageerror', (error) => pageErrors.push(error.message));
      await page.goto(url);
      return { context, page, log, pageErrors };
    },
  };
}
