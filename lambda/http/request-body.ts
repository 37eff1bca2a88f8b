import { brotliDecompressSync, gunzipSync, inflateSync, type ZlibOptions } from 'node:zlib';
import { isJsonObject, type JsonObject } from '../events/segment-event';
import { jsonErrorMessage, sanitisedJsonError } from '../observability/json-error-message';
import { MalformedRequestError, PayloadTooLargeError, UnsupportedEncodingError } from './http-error';

/** The body as API Gateway hands it over. */
export interface RawBody {
  readonly body?: string;
  readonly isBase64Encoded: boolean;
  /** The `Content-Encoding` header, if any. */
  readonly contentEncoding?: string;
  /** The `Content-Type` header, if any: only read to say what was sent when the body is not JSON. */
  readonly contentType?: string;
}

/**
 * The deepest nesting of objects and arrays a body may have (the body itself is level 1, a batch's
 * events level 3). Real events stay within ten or so; a deeper body is refused before anything
 * walks it (serialising 5,000 levels overflows the stack), and consumers of the stream, some with
 * a recursion limit of their own (128 in serde_json), never see one.
 */
export const MAX_JSON_DEPTH = 100;

/** U+FEFF, which some clients put before UTF-8 JSON; RFC 8259 lets a parser ignore it. */
const BYTE_ORDER_MARK = '\uFEFF';

const DECOMPRESSORS: ReadonlyMap<string, (input: Buffer, options: ZlibOptions) => Buffer> = new Map([
  ['gzip', gunzipSync],
  ['x-gzip', gunzipSync],
  ['deflate', inflateSync],
  ['br', brotliDecompressSync],
]);

const utf8 = new TextDecoder('utf-8', { fatal: true });

const tooLarge = (size: string, maxBytes: number) =>
  new PayloadTooLargeError(
    `Request body is ${size}; the limit is ${maxBytes} bytes. Send fewer events per request (Segment's own limit is 500 KB per batch).`,
    { details: { limitBytes: maxBytes } },
  );

function decompress(bytes: Buffer, encoding: string, maxBytes: number): Buffer {
  const decompressor = DECOMPRESSORS.get(encoding);
  if (decompressor === undefined) throw new UnsupportedEncodingError(encoding);
  try {
    return decompressor(bytes, { maxOutputLength: maxBytes });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw tooLarge('larger once decompressed', maxBytes);
    }
    throw new MalformedRequestError(`Body is not valid ${encoding} data (Content-Encoding: ${encoding})`, {
      cause: error,
    });
  }
}

function text(raw: RawBody, maxBytes: number): string {
  const body = raw.body ?? '';
  const encoding = raw.contentEncoding?.trim().toLowerCase() || 'identity';
  if (!raw.isBase64Encoded && encoding === 'identity') {
    const size = Buffer.byteLength(body, 'utf8');
    if (size > maxBytes) throw tooLarge(`${size} bytes`, maxBytes);
    return body;
  }
  let bytes: Buffer = raw.isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body, 'latin1');
  if (encoding !== 'identity') {
    if (bytes.length > maxBytes) throw tooLarge(`${bytes.length} bytes compressed`, maxBytes);
    bytes = decompress(bytes, encoding, maxBytes);
  }
  if (bytes.length > maxBytes) throw tooLarge(`${bytes.length} bytes`, maxBytes);
  try {
    return utf8.decode(bytes);
  } catch (error) {
    throw new MalformedRequestError('Body is not valid UTF-8', { cause: error });
  }
}

/**
 * Whether a parsed JSON value nests objects and arrays deeper than `maxDepth` (the value itself is
 * level 1). Walks with a stack of its own, not by recursion: it must not overflow where a recursive
 * walk would; it visits objects and arrays only, so its cost follows their number, not the bytes.
 */
export function nestsDeeperThan(value: unknown, maxDepth: number): boolean {
  const pending: unknown[] = [value];
  const depths: number[] = [1];
  while (pending.length > 0) {
    const current = pending.pop();
    const depth = depths.pop() as number;
    if (typeof current !== 'object' || current === null) continue;
    if (depth > maxDepth) return true;
    for (const child of Array.isArray(current) ? current : Object.values(current)) {
      if (typeof child !== 'object' || child === null) continue;
      pending.push(child);
      depths.push(depth + 1);
    }
  }
  return false;
}

/** Media types a JSON body arrives with: JSON itself, and `text/plain` (browsers, beacons). */
const JSON_MEDIA_TYPE = /^(application\/(.+\+)?json|text\/plain)$/;

/** A hint when the `Content-Type` says the body is something else than JSON (a form, say). */
function contentTypeHint(contentType: string | undefined): string {
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  if (mediaType === undefined || mediaType === '' || JSON_MEDIA_TYPE.test(mediaType)) return '';
  // Only the media type is quoted: it is a short token, never the payload.
  const shown = mediaType.length <= 100 ? mediaType : `${mediaType.slice(0, 100)}...`;
  return `; expected a JSON body (Content-Type: application/json), got ${shown}`;
}

/**
 * Turns an API Gateway body into the JSON object it carries, whatever the `Content-Type`
 * (browsers send `text/plain`): base64 and `Content-Encoding` (gzip, deflate, br) undone, size
 * checked before parsing and again after decompression, strict UTF-8, a leading byte order mark
 * skipped, a JSON object at the top, nested at most {@link MAX_JSON_DEPTH} levels. A body that is
 * not JSON is refused with the position where parsing stopped, and with what the `Content-Type`
 * said when it names something else (a form).
 */
export function parseJsonBody(raw: RawBody, maxBytes: number): JsonObject {
  const decoded = text(raw, maxBytes);
  const json = decoded.startsWith(BYTE_ORDER_MARK) ? decoded.slice(1) : decoded;
  if (json.trim() === '') throw new MalformedRequestError('Request body is empty; send a JSON object');
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    throw new MalformedRequestError(
      `Request body is not valid JSON: ${jsonErrorMessage(error, json)}${contentTypeHint(raw.contentType)}`,
      // V8's own message quotes the body; logs never hold event payloads.
      { cause: sanitisedJsonError(error, json) },
    );
  }
  if (!isJsonObject(parsed)) throw new MalformedRequestError('Request body must be a JSON object');
  if (nestsDeeperThan(parsed, MAX_JSON_DEPTH)) {
    throw new MalformedRequestError(
      `Request body is nested deeper than ${MAX_JSON_DEPTH} levels of objects and arrays; flatten the properties it nests`,
      { details: { maxDepth: MAX_JSON_DEPTH } },
    );
  }
  return parsed;
}
