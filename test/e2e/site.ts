import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { type StaticServer, startStaticServer } from '../support/static-server';

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
}

const html = (script: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>e2e</title></head>` +
  `<body><script src="/${script}"></script></body></html>`;

/**
 * Builds the test site into a temporary directory (the SDK npm packages bundled for the browser
 * with esbuild, as a site's own build would) and serves it from its own loopback port, so the
 * collector is a different origin and every SDK call goes through CORS.
 */
export async function startTestSite(): Promise<TestSite> {
  const root = await mkdtemp(join(tmpdir(), 'kef-e2e-site-'));
  await Promise.all(
    Object.entries(PAGES).map(async ([name, entry]) => {
      await build({
        entryPoints: [join(__dirname, 'pages', entry)],
        absWorkingDir: REPO_ROOT,
        bundle: true,
        format: 'iife',
        platform: 'browser',
        target: 'chrome120',
        outfile: join(root, `${name}.js`),
        define: { 'process.env.NODE_ENV': '"production"' },
        logLevel: 'error',
      });
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
    stop: async () => {
      await server.stop();
      await rm(root, { recursive: true, force: true });
    },
  };
}
