import type { EventType, JsonObject } from '../events/segment-event';
import { isJsonObject } from '../events/segment-event';
import { MalformedRequestError } from './http-error';

/** A query string as API Gateway hands it over (repeated names joined by commas). */
export type PixelQuery = Readonly<Record<string, string | undefined>>;

/** Whose pixel API a request follows: Segment's `/v1/pixel/<type>` or RudderStack's `/pixel/v1/<type>`. */
export type PixelFlavour = 'segment' | 'rudderstack';

/** A pixel request's event, and the write key it names (the query's `writeKey`, else the event's). */
export interface PixelMessage {
  readonly writeKey: string | undefined;
  readonly message: JsonObject;
}

/** Query parameters that say how to read the request, never event fields. */
const RESERVED = new Set(['data', 'writeKey']);
/** Path segments that would reach an object's prototype. */
const UNSAFE_SEGMENTS = new Set(['__proto__', 'prototype', 'constructor']);
/** Base64, standard (`+/`) or URL-safe (`-_`), padded or not. */
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The JSON object in a pixel's `data` parameter: standard or URL-safe base64, padded or not. A
 * space stands for `+` (a standard `+` left unescaped in a URL reads back as a space).
 */
export function decodePixelData(data: string): JsonObject {
  const text = data.trim().replaceAll(' ', '+');
  if (text === '' || !BASE64.test(text) || text.replace(/=+$/, '').length % 4 === 1) {
    throw new MalformedRequestError(
      '"data" is not base64: send base64 (standard or URL-safe) of a JSON object',
    );
  }
  let json: string;
  try {
    json = utf8.decode(Buffer.from(text.replaceAll('-', '+').replaceAll('_', '/'), 'base64'));
  } catch (error) {
    throw new MalformedRequestError('"data" does not decode to UTF-8 text', { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    // V8's message quotes the text: logs never hold event payloads.
    throw new MalformedRequestError('"data" does not decode to JSON');
  }
  if (!isJsonObject(parsed)) throw new MalformedRequestError('"data" must decode to a JSON object');
  return parsed;
}

/**
 * The event the query parameters spell with dot paths (`properties.subject=Welcome` ->
 * `{ properties: { subject: 'Welcome' } }`), values as strings; `data` and `writeKey` left out.
 */
export function eventFromDotPaths(query: PixelQuery): JsonObject {
  const event: JsonObject = {};
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || RESERVED.has(name)) continue;
    const path = name.split('.');
    if (path.some((segment) => segment === '' || UNSAFE_SEGMENTS.has(segment))) {
      throw new MalformedRequestError(`Query parameter "${name}" is not a dot path to an event field`);
    }
    let parent = event;
    for (const segment of path.slice(0, -1)) {
      const child = parent[segment];
      if (child !== undefined && !isJsonObject(child)) {
        throw new MalformedRequestError(
          `Query parameter "${name}" nests under "${segment}", which has a value`,
        );
      }
      parent[segment] = child ?? {};
      parent = parent[segment] as JsonObject;
    }
    const leaf = path[path.length - 1] as string;
    if (isJsonObject(parent[leaf])) {
      throw new MalformedRequestError(`Query parameter "${name}" has both a value and fields under it`);
    }
    parent[leaf] = value;
  }
  return event;
}

/**
 * A pixel request as the event a POST would carry: the `data` parameter when present, else the dot
 * paths; the path's type; `context.ip` and `context.userAgent` from the request unless the event has
 * them. RudderStack's pixels also get `channel: "web"` and both timestamps set to `now`, as its
 * server does. Throws {@link MalformedRequestError} when the request spells no event.
 */
export function pixelMessage(request: {
  readonly flavour: PixelFlavour;
  readonly type: EventType;
  readonly query: PixelQuery;
  readonly sourceIp?: string;
  readonly userAgent?: string;
  readonly now: number;
}): PixelMessage {
  const { query } = request;
  const data = query.data;
  const fields = data === undefined ? eventFromDotPaths(query) : decodePixelData(data);
  const { writeKey: dataKey, ...event } = fields;
  const writeKey = query.writeKey ?? (typeof dataKey === 'string' ? dataKey : undefined);
  const context: JsonObject = isJsonObject(event.context) ? { ...event.context } : {};
  if (context.ip === undefined && request.sourceIp) context.ip = request.sourceIp;
  if (context.userAgent === undefined && request.userAgent) context.userAgent = request.userAgent;
  const message: JsonObject = { ...event, type: event.type ?? request.type, context };
  if (request.flavour === 'rudderstack') {
    const now = new Date(request.now).toISOString();
    message.channel = 'web';
    message.originalTimestamp = now;
    message.sentAt = now;
  }
  return { writeKey: writeKey === '' ? undefined : writeKey, message };
}
