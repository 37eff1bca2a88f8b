import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { COLLECTOR_ROUTES } from '../../lib/constructs/ingest-api';
import { DEBUG_PAGE_PATH } from '../../local/debug-page';
import { FAULTS_PATH } from '../../local/faults-route';
import { localModeSettings } from '../../local/local-mode';
import { DEFAULT_LIVE_PORT } from '../../tools/live/live-args';
import { PROJECT_ROOT } from '../lib/support/test-app';

/** The code whose environment the table documents: the Lambda, local mode, the tools and their entries. */
const CODE_DIRS = ['bin', 'local', 'lambda', 'tools'];

function sources(dir: string): string[] {
  return readdirSync(path.join(PROJECT_ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return sources(relative);
    return entry.name.endsWith('.ts') ? [relative] : [];
  });
}

/**
 * Variables the code reads: `env.NAME`, `env['NAME']` and `port(env, 'NAME', ...)`-style helpers,
 * not assignments (`process.env.NAME = ...`) or deletions (npm start sets a few for the handler).
 */
function variablesRead(): Set<string> {
  const names = new Set<string>();
  for (const file of CODE_DIRS.flatMap(sources)) {
    const text = readFileSync(path.join(PROJECT_ROOT, file), 'utf8');
    for (const match of text.matchAll(
      /(delete\s+(?:process\.)?)?\benv(?:\.|\[')([A-Z][A-Z0-9_]+)'?\]?(\s*=(?!=))?/g,
    )) {
      if (match[1] === undefined && match[3] === undefined) names.add(match[2] as string);
    }
    for (const match of text.matchAll(/\(env, '([A-Z][A-Z0-9_]+)'/g)) names.add(match[1] as string);
  }
  return names;
}

/** The first column of the table under "## Environment variables" in docs/configuration.md. */
function variablesDocumented(): Set<string> {
  const text = readFileSync(path.join(PROJECT_ROOT, 'docs/configuration.md'), 'utf8');
  const section = text.split(/^## Environment variables$/m)[1]?.split(/^## /m)[0] ?? '';
  return new Set([...section.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \|/gm)].map((match) => match[1] as string));
}

const DOC_FILES = [
  'README.md',
  'examples/README.md',
  ...readdirSync(path.join(PROJECT_ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];

describe('the environment variable table of docs/configuration.md', () => {
  const read = variablesRead();
  const documented = variablesDocumented();

  it('lists every variable the code reads', () => {
    expect([...read].filter((name) => !documented.has(name)).sort()).toEqual([]);
    expect(read.has('PORT')).toBe(true);
    expect(read.has('COLLECTOR_CONFIG_FILE')).toBe(true);
  });

  it('lists no variable that no code reads', () => {
    expect([...documented].filter((name) => !read.has(name)).sort()).toEqual([]);
  });
});

/** The port of the site origin examples/identity-cookie.json allows: a page the reader serves, not ours. */
function siteOfIdentityCookieExample(): number {
  const example = JSON.parse(
    readFileSync(path.join(PROJECT_ROOT, 'examples', 'identity-cookie.json'), 'utf8'),
  ) as { sources: { allowedOrigins?: string[] }[] };
  return Number(new URL(example.sources[0]?.allowedOrigins?.[0] ?? '').port);
}

describe('ports and URLs in README.md, examples/ and docs/*.md, prose and snippets alike', () => {
  const defaults = localModeSettings({});
  const collectorPaths = [DEBUG_PAGE_PATH, FAULTS_PATH, ...COLLECTOR_ROUTES.map((route) => route.path)].map(
    (route) => new RegExp(`^${route.replace(/\{[^}]+\}/g, '[^/]+')}/?$`),
  );
  /** Each local port the docs may name, and the paths that exist there. */
  const known = new Map<number, { what: string; paths: (path: string) => boolean }>([
    [
      defaults.port,
      { what: 'npm start (PORT)', paths: (p) => p === '' || collectorPaths.some((r) => r.test(p)) },
    ],
    [defaults.kinesisPort, { what: 'the emulator (KINESIS_PORT)', paths: (p) => p === '' }],
    [defaults.dynamodbPort, { what: 'dynalite (DYNAMODB_PORT)', paths: (p) => p === '' }],
    [DEFAULT_LIVE_PORT, { what: 'npm run live', paths: (p) => p === '' || p === DEBUG_PAGE_PATH }],
    [
      siteOfIdentityCookieExample(),
      { what: 'your page in examples/identity-cookie.json', paths: (p) => p === '' },
    ],
  ]);

  it('name only the ports local mode and the tools use, and only paths that exist there', () => {
    const problems: string[] = [];
    let seen = 0;
    for (const file of DOC_FILES) {
      readFileSync(path.join(PROJECT_ROOT, file), 'utf8')
        .split('\n')
        .forEach((line, index) => {
          for (const match of line.matchAll(
            /\b(?:127\.0\.0\.1|localhost|0\.0\.0\.0):(\d+)(\/[\w/{}.<>-]*)?/g,
          )) {
            seen++;
            const port = Number(match[1]);
            const urlPath = (match[2] ?? '').replace(/[.]$/, '');
            const where = `${file}:${index + 1}: ${match[0]}`;
            const place = known.get(port);
            if (place === undefined) problems.push(`${where}: nothing listens on port ${port} by default`);
            else if (!place.paths(urlPath)) problems.push(`${where}: ${place.what} has no path ${urlPath}`);
          }
        });
    }
    expect(problems).toEqual([]);
    expect(seen).toBeGreaterThan(10);
  });

  it('says the defaults the code has: the collector on 8080, the emulator on 4567', () => {
    expect([defaults.port, defaults.kinesisPort]).toEqual([8080, 4567]);
    const sdkUsage = readFileSync(path.join(PROJECT_ROOT, 'docs/sdk-usage.md'), 'utf8');
    expect(sdkUsage).toContain(`| local mode (\`npm start\`) | \`http://127.0.0.1:${defaults.port}\` |`);
  });
});
