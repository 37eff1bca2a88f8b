import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A captured request: request line, headers (lower-case names) and body. */
export interface HttpFixture {
  readonly method: string;
  /** Path and query, as on the request line. */
  readonly target: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

const FIXTURES = join(__dirname, '..', 'fixtures', 'sdk-requests');

/** Reads `test/fixtures/sdk-requests/<name>.http`. A fresh object each call: tests may change it. */
export function loadHttpFixture(name: string): HttpFixture {
  const text = readFileSync(join(FIXTURES, `${name}.http`), 'utf8');
  const [head = '', ...rest] = text.split(/\r?\n\r?\n/);
  const [requestLine = '', ...headerLines] = head.split(/\r?\n/);
  const [method = 'GET', target = '/'] = requestLine.split(' ');
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { method, target, headers, body: rest.join('\n\n').trim() };
}

/** Headers a client sets itself; the rest of a fixture's headers are replayed as captured. */
const HOP_BY_HOP = new Set(['host', 'connection', 'content-length', 'accept-encoding']);

/** Replays a captured request against `baseUrl`, with the body possibly replaced. */
export function replay(
  baseUrl: string,
  fixture: HttpFixture,
  body: string = fixture.body,
): Promise<Response> {
  const headers = Object.fromEntries(
    Object.entries(fixture.headers).filter(([name]) => !HOP_BY_HOP.has(name)),
  );
  return fetch(`${baseUrl}${fixture.target}`, {
    method: fixture.method,
    headers,
    ...(fixture.method === 'GET' || fixture.method === 'OPTIONS' ? {} : { body }),
  });
}
