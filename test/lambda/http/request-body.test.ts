import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { HttpError } from '../../../lambda/http/http-error';
import {
  MAX_JSON_DEPTH,
  nestsDeeperThan,
  parseJsonBody,
  type RawBody,
} from '../../../lambda/http/request-body';
import { loadHttpFixture } from '../../support/http-fixture';

const LIMIT = 500 * 1024;

/** The HttpError `parse` throws; fails the test when it throws nothing or something else. */
function refusalOf(parse: () => unknown): HttpError {
  try {
    parse();
  } catch (error) {
    if (error instanceof HttpError) return error;
    throw error;
  }
  throw new Error('expected the body to be refused');
}

/** analytics-next's track call as the browser sends it: JSON inside `text/plain`. */
const browserBody = () => loadHttpFixture('browser_t').body;

const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

describe('parseJsonBody', () => {
  it('parses a text/plain JSON body as API Gateway passes it (not base64)', () => {
    // Prepare
    const raw: RawBody = { body: browserBody(), isBase64Encoded: false };

    // Act
    const parsed = parseJsonBody(raw, LIMIT);

    // Assess
    expect(parsed).toMatchObject({ type: 'track', event: 'Order Completed', writeKey: 'wk_browser_probe' });
    expect((parsed.properties as { unicode: string }).unicode).toBe('héllo — 日本語 🎉');
  });

  it('decodes a base64-encoded body', () => {
    // Prepare
    const raw: RawBody = { body: base64(Buffer.from(browserBody())), isBase64Encoded: true };

    // Act
    const parsed = parseJsonBody(raw, LIMIT);

    // Assess
    expect((parsed.properties as { unicode: string }).unicode).toBe('héllo — 日本語 🎉');
  });

  it.each([
    ['gzip', gzipSync],
    ['x-gzip', gzipSync],
    ['deflate', deflateSync],
    ['br', brotliCompressSync],
  ])('decompresses a %s body', (encoding, compress) => {
    // Prepare
    const raw: RawBody = {
      body: base64(compress(Buffer.from(browserBody()))),
      isBase64Encoded: true,
      contentEncoding: encoding,
    };

    // Act
    const parsed = parseJsonBody(raw, LIMIT);

    // Assess
    expect(parsed.messageId).toBe('ajs-next-1795302924990-048d8f1d-61d8-4f5c-8b25-aa9860ae5fc7');
  });

  it('reads the Content-Encoding case-insensitively and ignores surrounding spaces', () => {
    // Prepare
    const raw: RawBody = {
      body: base64(gzipSync(Buffer.from('{"batch":[]}'))),
      isBase64Encoded: true,
      contentEncoding: ' GZip ',
    };

    // Act
    const parsed = parseJsonBody(raw, LIMIT);

    // Assess
    expect(parsed).toEqual({ batch: [] });
  });

  it('treats Content-Encoding identity as no encoding', () => {
    // Prepare
    const raw: RawBody = { body: '{"batch":[]}', isBase64Encoded: false, contentEncoding: 'identity' };

    // Act
    const parsed = parseJsonBody(raw, LIMIT);

    // Assess
    expect(parsed).toEqual({ batch: [] });
  });

  it('answers 400 naming the encoding when a gzip body is broken', () => {
    // Prepare
    const gzipped = gzipSync(Buffer.from(browserBody()));
    const truncated = gzipped.subarray(0, gzipped.length - 20);
    const raw: RawBody = { body: base64(truncated), isBase64Encoded: true, contentEncoding: 'gzip' };

    // Act
    const error = refusalOf(() => parseJsonBody(raw, LIMIT));

    // Assess
    expect(error.statusCode).toBe(400);
    expect(error.message).toBe('Body is not valid gzip data (Content-Encoding: gzip)');
    expect(error.cause).toHaveProperty('code', 'Z_BUF_ERROR');
  });

  it('answers 400 when a body labelled gzip is plain JSON', () => {
    // Prepare
    const raw: RawBody = { body: browserBody(), isBase64Encoded: false, contentEncoding: 'gzip' };

    // Act
    const error = refusalOf(() => parseJsonBody(raw, LIMIT));

    // Assess
    expect(error.statusCode).toBe(400);
    expect(error.message).toContain('gzip');
  });

  it('answers 415 naming an encoding it cannot decode', () => {
    // Prepare
    const raw: RawBody = { body: base64(Buffer.from('{}')), isBase64Encoded: true, contentEncoding: 'zstd' };

    // Act
    const error = refusalOf(() => parseJsonBody(raw, LIMIT));

    // Assess
    expect(error.statusCode).toBe(415);
    expect(error.message).toContain('"zstd"');
  });

  it('answers 413 for a plain body over the limit, with the limit in the details', () => {
    // Prepare
    const raw: RawBody = { body: JSON.stringify({ batch: ['x'.repeat(LIMIT)] }), isBase64Encoded: false };

    // Act
    const error = refusalOf(() => parseJsonBody(raw, LIMIT));

    // Assess
    expect(error.statusCode).toBe(413);
    expect(error.details).toEqual({ limitBytes: LIMIT });
  });

  it('counts the limit in UTF-8 bytes, not characters', () => {
    // Prepare: 200 000 three-byte characters: 600 000 bytes, under 500 KB in characters
    const raw: RawBody = { body: JSON.stringify({ text: '日'.repeat(200_000) }), isBase64Encoded: false };

    // Act
    const error = refusalOf(() => parseJsonBody(raw, LIMIT));

    // Assess
    expect(error.statusCode).toBe(413);
  });

  it('accepts a body of exactly the limit', () => {
    // Prepare
    const prefix = '{"pad":"';
    const body = `${prefix}${'x'.repeat(LIMIT - prefix.length - 2)}"}`;

    // Act
    const parsed = parseJsonBody({ body, isBase64Encoded: false }, LIMIT);

    // Assess
    expect(Buffer.byteLength(body)).toBe(LIMIT);
    expect(Object.keys(parsed)).toEqual(['pad']);
  });

  it('answers 413 for a base64 body over the limit once decoded', () => {
    // Prepare
    const raw: RawBody = { body: base64(Buffer.alloc(LIMIT + 1, 0x20)), isBase64Encoded: true };

    // Act
    const error = refusalOf(() => parseJsonBody(raw, LIMIT));

    // Assess
    expect(error.statusCode).toBe(413);
  });

  it('answers 413 for a compressed body that is over the limit before decompression', () => {
    // Prepare: a small event followed by thousands of empty gzip members: tiny once inflated
    const members = [gzipSync(Buffer.from('{"batch":[]}')), ...Array(40_000).fill(gzipSync(Buffer.alloc(0)))];
    const compressed = Buffer.concat(members);
    const raw: RawBody = { body: base64(compressed), isBase64Encoded: true, contentEncoding: 'gzip' };

    // Act
    const error = refusalOf(() => parseJsonBody(raw, LIMIT));

    // Assess
    expect(compressed.length).toBeGreaterThan(LIMIT);
    expect(error.statusCode).toBe(413);
  });

  it('refuses a gzip bomb (10 MB of zeros) with 413 without inflating all of it', () => {
    // Prepare
    const bomb = gzipSync(Buffer.alloc(10 * 1024 * 1024));
    const raw: RawBody = { body: base64(bomb), isBase64Encoded: true, contentEncoding: 'gzip' };

    // Act
    const error = refusalOf(() => parseJsonBody(raw, LIMIT));

    // Assess: inflating stopped at the limit (inflating it all would report 10485760 bytes)
    expect(bomb.length).toBeLessThan(20_000);
    expect(error.statusCode).toBe(413);
    expect(error.message).toContain('larger once decompressed');
  });

  it('answers 400 for a body that is not valid UTF-8', () => {
    // Prepare: 0xC3 starts a two-byte sequence that 0x28 does not continue
    const bytes = Buffer.concat([Buffer.from('{"userId":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    const raw: RawBody = { body: base64(bytes), isBase64Encoded: true };

    // Act
    const error = refusalOf(() => parseJsonBody(raw, LIMIT));

    // Assess
    expect(error.statusCode).toBe(400);
    expect(error.message).toBe('Body is not valid UTF-8');
  });

  it.each([
    ['absent', undefined],
    ['empty', ''],
    ['blank', ' \n\t '],
  ])('answers 400 for an %s body', (_, body) => {
    // Act
    const error = refusalOf(() => parseJsonBody({ body, isBase64Encoded: false }, LIMIT));

    // Assess
    expect(error.statusCode).toBe(400);
    expect(error.message).toBe('Request body is empty; send a JSON object');
  });

  it('answers 400 for a body that is not JSON, with the parser message', () => {
    // Prepare
    const truncated = browserBody().slice(0, 200);

    // Act
    const error = refusalOf(() => parseJsonBody({ body: truncated, isBase64Encoded: false }, LIMIT));

    // Assess
    expect(error.statusCode).toBe(400);
    expect(error.message).toMatch(/^Request body is not valid JSON: /);
  });

  it('answers 400 with the position and a Content-Type hint for a form body', () => {
    // Prepare
    const raw: RawBody = {
      body: 'writeKey=wk_browser_probe&event=Signed+Up',
      isBase64Encoded: false,
      contentType: 'application/x-www-form-urlencoded; charset=UTF-8',
    };

    // Act
    const error = refusalOf(() => parseJsonBody(raw, LIMIT));

    // Assess
    expect(error.statusCode).toBe(400);
    expect(error.message).toBe(
      'Request body is not valid JSON: unexpected token at position 0; expected a JSON body (Content-Type: application/json), got application/x-www-form-urlencoded',
    );
    expect(String(error.cause)).not.toContain('wk_browser_probe');
  });

  it.each([
    ['application/json'],
    ['application/json; charset=utf-8'],
    ['text/plain;charset=UTF-8'],
    ['application/vnd.api+json'],
    [undefined],
  ])('gives no Content-Type hint when it says JSON or text/plain (%s)', (contentType) => {
    // Act
    const error = refusalOf(() =>
      parseJsonBody(
        { body: '{"a":1,', isBase64Encoded: false, ...(contentType ? { contentType } : {}) },
        LIMIT,
      ),
    );

    // Assess
    expect(error.message).not.toContain('expected a JSON body');
    expect(error.message).toMatch(/^Request body is not valid JSON: .*position 7/);
  });

  it('places an unexpected token V8 reports without a position, in a long body, without quoting the body', () => {
    // Prepare: 20 events, then an unquoted value in the 21st
    const events = Array.from({ length: 20 }, () => '{"type":"track","event":"E","userId":"u"}');
    const body = `{"batch":[${events.join(',')},{"type":"track","event":E,"userId":"u"}]}`;

    // Act
    const error = refusalOf(() => parseJsonBody({ body, isBase64Encoded: false }, LIMIT));

    // Assess
    const position = body.indexOf('E,"userId":"u"}]}');
    expect(error.message).toBe(`Request body is not valid JSON: unexpected token at position ${position}`);
  });

  it.each([
    ['as a string', (text: string): RawBody => ({ body: text, isBase64Encoded: false })],
    [
      'as base64 UTF-8 bytes',
      (text: string): RawBody => ({ body: base64(Buffer.from(text, 'utf8')), isBase64Encoded: true }),
    ],
  ])('accepts a body that starts with a UTF-8 byte order mark (%s)', (_, rawOf) => {
    // Act
    const parsed = parseJsonBody(rawOf('\uFEFF{"type":"track","event":"E","userId":"u"}'), LIMIT);

    // Assess
    expect(parsed).toEqual({ type: 'track', event: 'E', userId: 'u' });
  });

  it(`accepts ${MAX_JSON_DEPTH} levels of nesting and answers 400 naming the limit beyond, up to 100,000 levels`, () => {
    // Prepare: the body is level 1, "p" holds the rest
    const nested = (levels: number) => `{"p":${'['.repeat(levels - 1)}${']'.repeat(levels - 1)}}`;

    // Act
    const atLimit = parseJsonBody({ body: nested(MAX_JSON_DEPTH), isBase64Encoded: false }, LIMIT);
    const errors = [MAX_JSON_DEPTH + 1, 100_000].map((levels) =>
      refusalOf(() => parseJsonBody({ body: nested(levels), isBase64Encoded: false }, LIMIT)),
    );

    // Assess
    expect(Object.keys(atLimit)).toEqual(['p']);
    for (const error of errors) {
      expect(error.statusCode).toBe(400);
      expect(error.message).toBe(
        'Request body is nested deeper than 100 levels of objects and arrays; flatten the properties it nests',
      );
      expect(error.details).toEqual({ maxDepth: 100 });
    }
  });

  it('measures nesting through objects and arrays alike, and not inside strings', () => {
    expect(nestsDeeperThan({ a: { b: [{ c: 1 }] } }, 4)).toBe(false);
    expect(nestsDeeperThan({ a: { b: [{ c: {} }] } }, 4)).toBe(true);
    expect(nestsDeeperThan({ a: '[[[[[[[[[[' }, 1)).toBe(false);
    expect(nestsDeeperThan('text', 0)).toBe(false);
  });

  it.each([
    ['an array', '[{"type":"track","event":"E","userId":"u"}]'],
    ['null', 'null'],
    ['a string', '"track"'],
    ['a number', '42'],
  ])('answers 400 when the top level is %s', (_, body) => {
    // Act
    const error = refusalOf(() => parseJsonBody({ body, isBase64Encoded: false }, LIMIT));

    // Assess
    expect(error.statusCode).toBe(400);
    expect(error.message).toBe('Request body must be a JSON object');
  });

  it('keeps a "__proto__" key as data and does not pollute Object.prototype', () => {
    // Prepare
    const body = '{"type":"track","__proto__":{"polluted":true},"properties":{"__proto__":{"isAdmin":true}}}';

    // Act
    const parsed = parseJsonBody({ body, isBase64Encoded: false }, LIMIT);

    // Assess
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.hasOwn(parsed, '__proto__')).toBe(true);
    expect((parsed as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it('keeps escaped NUL, U+2028 and lone surrogates as sent', () => {
    // Prepare
    const body = '{"a":"\\u0000","b":"\u2028","c":"\\ud83c"}';

    // Act
    const parsed = parseJsonBody({ body, isBase64Encoded: false }, LIMIT);

    // Assess
    expect(parsed).toEqual({ a: '\u0000', b: '\u2028', c: '\ud83c' });
  });

  it('lets only its own HTTP errors escape, whatever bytes and encoding arrive', () => {
    // Prepare
    const compressors = [
      (bytes: Uint8Array) => bytes,
      (bytes: Uint8Array) => gzipSync(bytes),
      (bytes: Uint8Array) => deflateSync(bytes),
      (bytes: Uint8Array) => brotliCompressSync(bytes),
    ];
    const raws = fc
      .record({
        payload: fc.oneof(
          fc.json().map((json) => Buffer.from(json)),
          fc.uint8Array({ maxLength: 300 }),
          // Deep nesting, of arrays or objects, possibly broken or behind a byte order mark.
          fc
            .record({
              levels: fc.oneof(fc.integer({ min: 90, max: 110 }), fc.integer({ min: 1, max: 3_000 })),
              open: fc.constantFrom('[', '{"a":'),
              bom: fc.boolean(),
              cut: fc.nat({ max: 3 }),
            })
            .map(({ levels, open, bom, cut }) => {
              const close = open === '[' ? ']' : '}';
              const text = `${bom ? '\uFEFF' : ''}{"d":${open.repeat(levels)}0${close.repeat(levels)}}`;
              return Buffer.from(text.slice(0, text.length - cut));
            }),
        ),
        compressor: fc.nat({ max: compressors.length - 1 }),
        encoding: fc.constantFrom(undefined, '', 'gzip', 'deflate', 'br', 'x-gzip', 'identity', 'compress'),
        isBase64Encoded: fc.boolean(),
        contentType: fc.oneof(
          fc.constantFrom(undefined, 'application/json', 'text/plain', 'application/x-www-form-urlencoded'),
          fc.string({ maxLength: 40 }),
        ),
      })
      .map(({ payload, compressor, encoding, isBase64Encoded, contentType }): RawBody => {
        const bytes = compressors[compressor]?.(payload) ?? payload;
        return {
          body: isBase64Encoded ? base64(bytes) : Buffer.from(bytes).toString('latin1'),
          isBase64Encoded,
          contentEncoding: encoding,
          ...(contentType === undefined ? {} : { contentType }),
        };
      });
    const limits = fc.constantFrom(1024, 1024 * 1024);

    // Act and Assess
    fc.assert(
      fc.property(raws, limits, (raw, limit) => {
        try {
          const parsed = parseJsonBody(raw, limit);
          expect(typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)).toBe(true);
          expect(nestsDeeperThan(parsed, MAX_JSON_DEPTH)).toBe(false);
        } catch (error) {
          expect(error).toBeInstanceOf(HttpError);
          expect([400, 413, 415]).toContain((error as HttpError).statusCode);
        }
      }),
      { numRuns: 500 },
    );
  });
});
