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
}

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
 * Turns an API Gateway body into the JSON object it carries, whatever the `Content-Type`
 * (browsers send `text/plain`): base64 and `Content-Encoding` (gzip, deflate, br) undone, size
 * checked before parsing and again after decompression, strict UTF-8, a JSON object at the top.
 */
export function parseJsonBody(raw: RawBody, maxBytes: number): JsonObject {
  const json = text(raw, maxBytes);
  if (json.trim() === '') throw new MalformedRequestError('Request body is empty; send a JSON object');
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    throw new MalformedRequestError(
      `Request body is not valid JSON: ${jsonErrorMessage(error)}`,
      // V8's own message quotes the body; logs never hold event payloads.
      { cause: sanitisedJsonError(error) },
    );
  }
  if (!isJsonObject(parsed)) throw new MalformedRequestError('Request body must be a JSON object');
  return parsed;
}
