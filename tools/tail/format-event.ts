import { type TailEvent, userOf } from './tail-event';

/** A record read as an envelope. */
export type EnvelopeEvent = Extract<TailEvent, { kind: 'envelope' }>;
/** A record of a failed-events stream. */
export type FailureEvent = Extract<TailEvent, { kind: 'failure' }>;
/** A record that is not an envelope. */
export type UnreadableEvent = Extract<TailEvent, { kind: 'unreadable' }>;

/**
 * Whether to colour output: never with `--no-color` or `NO_COLOR`, always with `FORCE_COLOR`
 * (other than `0`), otherwise only on a terminal.
 */
export function colorEnabled(
  stream: { readonly isTTY?: boolean },
  env: NodeJS.ProcessEnv,
  requested?: boolean,
): boolean {
  if (requested === false || (env.NO_COLOR !== undefined && env.NO_COLOR !== '')) return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true;
}

const ANSI = { dim: 2, bold: 1, red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36 } as const;
type Style = keyof typeof ANSI;

const TYPE_STYLE: Readonly<Record<string, Style>> = {
  track: 'green',
  page: 'blue',
  screen: 'blue',
  identify: 'magenta',
  group: 'yellow',
  alias: 'cyan',
};

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/**
 * One line for people: time, type, event or page name, user, partition key and shard, separated
 * by two spaces; ANSI colours only when `color` is set.
 */
export function formatLine(event: EnvelopeEvent, options: { readonly color: boolean }): string {
  const paint = (style: Style, value: string) =>
    options.color ? `\u001b[${ANSI[style]}m${value}\u001b[0m` : value;
  const where = `${paint('dim', `pk=${event.meta.partitionKey}`)}  ${paint('dim', event.meta.shardId)}`;
  const { envelope } = event;
  const type = text(envelope.type) ?? '?';
  const time = text(envelope.timestamp) ?? text(envelope.received_at) ?? event.meta.arrivedAt ?? '-';
  const what = text(envelope.event) ?? text(envelope.name);
  const { userId, anonymousId } = userOf(envelope);
  const user = userId ?? (anonymousId === undefined ? '-' : `anon:${anonymousId}`);
  return [
    paint('dim', time),
    paint(TYPE_STYLE[type] ?? 'bold', type.padEnd(8)),
    ...(what === undefined ? [] : [paint('bold', JSON.stringify(what))]),
    user,
    where,
  ].join('  ');
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/**
 * Text on one line: control characters (newlines, ANSI escapes) as `\uXXXX`, since a refused event
 * holds whatever its sender put in it.
 */
const oneLine = (value: string): string =>
  value.replace(CONTROL, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);

const isObject = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** What a failure record holds, in a few words: `track "Order Completed"  user=u1`, or the raw body's size. */
function refusedEvent(record: FailureEvent['record']): string {
  if (typeof record.raw === 'string') {
    const request = isObject(record.request) ? record.request : {};
    const bytes = typeof request.bytes === 'number' ? request.bytes : undefined;
    const size =
      bytes === undefined ? '' : ` (${bytes} bytes${record.raw_truncated === true ? ', kept 64 KiB' : ''})`;
    return `raw request body${size}`;
  }
  const { payload } = record;
  if (!isObject(payload)) {
    const json = JSON.stringify(payload) ?? 'nothing';
    return `payload ${json.length > 60 ? `${json.slice(0, 59)}…` : json}`;
  }
  const type = text(payload.type);
  const what = text(payload.event) ?? text(payload.name);
  const { userId, anonymousId } = userOf(payload);
  return [
    oneLine(type ?? '(no type)'),
    ...(what === undefined ? [] : [JSON.stringify(what)]),
    userId !== undefined
      ? `user=${oneLine(userId)}`
      : anonymousId !== undefined
        ? `anon=${oneLine(anonymousId)}`
        : 'no user',
  ].join(' ');
}

/** Where the refused event came in: `/v1/batch#2` (its position in the batch), or the path alone. */
function requestOf(record: FailureEvent['record']): string | undefined {
  if (!isObject(record.request)) return undefined;
  const { path, index } = record.request;
  if (typeof path !== 'string' || path === '') return undefined;
  return typeof index === 'number' ? `${oneLine(path)}#${index}` : oneLine(path);
}

/**
 * One line per failure record, the reason first after when and from which source:
 * `time  source  stage  reason  type "event" user=ID  /v1/batch#index`, two spaces apart; the
 * body of an unparseable request shows as `raw request body (N bytes)`. Control characters of the
 * refused data are escaped, so a record is always one line.
 */
export function formatFailureLine(event: FailureEvent, options: { readonly color: boolean }): string {
  const paint = (style: Style, value: string) =>
    options.color ? `\u001b[${ANSI[style]}m${value}\u001b[0m` : value;
  const { record } = event;
  const time = text(record.received_at) ?? event.meta.arrivedAt ?? '-';
  const request = requestOf(record);
  return [
    paint('dim', oneLine(time)),
    oneLine(text(record.source_id) ?? '-'),
    paint('yellow', oneLine(record.failure.stage).padEnd(13)),
    paint('red', oneLine(record.failure.reason)),
    refusedEvent(record),
    ...(request === undefined ? [] : [paint('dim', request)]),
  ].join('  ');
}

/**
 * One JSON line for programs:
 * `{"meta":{"shardId","partitionKey","sequenceNumber"[,"subSequenceNumber"][,"arrivedAt"]},"envelope":{...}}`;
 * `envelope` is the record's JSON document unchanged (for a failed-events stream, the whole failure record).
 */
export function formatJson(event: EnvelopeEvent | FailureEvent): string {
  return JSON.stringify({
    meta: event.meta,
    envelope: event.kind === 'failure' ? event.record : event.envelope,
  });
}

/** The one-line warning (for stderr) about a record that is not an envelope. */
export function formatWarning(event: UnreadableEvent): string {
  const { shardId, sequenceNumber } = event.meta;
  return `tail: warning: ${shardId} record ${sequenceNumber}: ${event.reason}`;
}
