import { type TailEvent, userOf } from './tail-event';

/** A record read as an envelope. */
export type EnvelopeEvent = Extract<TailEvent, { kind: 'envelope' }>;
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

/**
 * One JSON line for programs:
 * `{"meta":{"shardId","partitionKey","sequenceNumber"[,"subSequenceNumber"][,"arrivedAt"]},"envelope":{...}}`.
 */
export function formatJson(event: EnvelopeEvent): string {
  return JSON.stringify({ meta: event.meta, envelope: event.envelope });
}

/** The one-line warning (for stderr) about a record that is not an envelope. */
export function formatWarning(event: UnreadableEvent): string {
  const { shardId, sequenceNumber } = event.meta;
  return `tail: warning: ${shardId} record ${sequenceNumber}: ${event.reason}`;
}
