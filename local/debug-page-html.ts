import { DEBUG_PAGE_SCRIPT } from './debug-page-script';

/** A destination the page can follow: its id in the configuration and the streams read for it. */
export interface PageDestination {
  readonly id: string;
  readonly streamName: string;
  /** @default - no failed-events stream read */
  readonly failedStreamName?: string;
}

export interface DebugPageHtmlOptions {
  /** How many events the page keeps (older rows are dropped). */
  readonly capacity: number;
  /** Where the page reads its Server-Sent Events (each message one `DebugEntry`), e.g. `/_debug/events`. */
  readonly eventsPath: string;
  /** One line under the title saying what is watched, e.g. `stream "events" at http://127.0.0.1:4567`. */
  readonly subtitle: string;
  /**
   * The destinations of the picker, the first shown first (`?destination=<id>` in the page's address
   * picks another). @default - one, `events`, with its failed-events stream
   */
  readonly destinations?: readonly PageDestination[];
  /**
   * Whether the page hears the collector's answers (local mode), so refused events can show; `npm run
   * live` does not, and shows no refused counter or filter that could never change. @default true
   */
  readonly seesAnswers?: boolean;
  /**
   * Trusted HTML added at the end of the toolbar (e.g. local mode's fault switches), with
   * `scripts` run after the page's own. Keeps the page one file while letting features plug in.
   * @default - nothing added
   */
  readonly controls?: string;
  /** @default - no extra script */
  readonly scripts?: readonly string[];
}

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

const STYLE = `
  :root { --ink: #1d2330; --muted: #5b6473; --line: #dde1e7; --bg: #f4f5f7; --card: #fff; --focus: #2563eb;
    --accepted: #1a7f37; --rejected: #c62828; --failed: #8e24aa; --undelivered: #b35900; --unreadable: #6b7280; --filtered: #44546a; --duplicate: #0f6e8c; }
  * { box-sizing: border-box; }
  body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; background: var(--bg); color: var(--ink); }
  button, input, select { font: inherit; color: inherit; }
  :focus-visible { outline: 2px solid var(--focus); outline-offset: 1px; }
  .top { position: sticky; top: 0; z-index: 1; background: var(--bg); box-shadow: 0 1px 0 var(--line); }
  .bar { background: #1d2330; color: #fff; padding: 8px 16px; display: flex; flex-wrap: wrap; gap: 4px 16px; align-items: baseline; }
  .bar h1 { font-size: 16px; margin: 0; }
  .bar .subtitle { color: #c3c9d4; font-size: 13px; overflow-wrap: anywhere; }
  #connection { font-size: 13px; }
  #connection[data-state="open"] { color: #7ee2a8; } #connection[data-state="closed"] { color: #ff9b9b; }
  .stats { display: flex; flex-wrap: wrap; gap: 6px 18px; align-items: center; padding: 8px 16px 0; }
  .counter { white-space: nowrap; }
  .counter b { font-variant-numeric: tabular-nums; font-size: 16px; }
  .counter[data-status="accepted"] b { color: var(--accepted); }
  .counter[data-status="rejected"] b { color: var(--rejected); }
  .counter[data-status="failed"] b { color: var(--failed); }
  .counter[data-status="duplicate"] b { color: var(--duplicate); }
  .spark { display: flex; align-items: center; gap: 6px; color: var(--muted); font-size: 12px; }
  #sparkline { width: 150px; height: 28px; background: var(--card); border: 1px solid var(--line); border-radius: 3px; }
  #sparkline .all { fill: none; stroke: #2563eb; stroke-width: 1.5; }
  #sparkline .bad { fill: none; stroke: var(--rejected); stroke-width: 1.2; }
  .controls { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; padding: 8px 16px; }
  #search { flex: 1 1 16em; min-width: 0; padding: 6px 8px; border: 1px solid #b8bfca; border-radius: 4px; background: var(--card); }
  select, .controls button { padding: 5px 10px; border: 1px solid #b8bfca; border-radius: 4px; background: var(--card); cursor: pointer; }
  .chips { display: flex; flex-wrap: wrap; gap: 4px; }
  .chip[aria-pressed="true"] { background: #1d2330; color: #fff; border-color: #1d2330; }
  .chip .n { color: var(--muted); font-variant-numeric: tabular-nums; margin-left: 4px; }
  .chip[aria-pressed="true"] .n { color: #c3c9d4; }
  #pause[data-paused="true"] { background: #fff4d6; border-color: #b35900; }
  #new-count { background: #fff4d6; border-color: #b35900; font-weight: 600; }
  #shown { color: var(--muted); font-size: 12px; margin-left: auto; }
  main { padding: 0 16px 24px; }
  /* Header and rows share one grid: fixed columns in px (the header's smaller font would shrink em),
     and the same content width (a row sits inside the entry's 4px + 1px borders). */
  .columns, .row { display: grid; grid-template-columns: 92px 92px 78px minmax(0, 1.4fr) minmax(0, 1fr) minmax(0, .7fr) minmax(0, 1.6fr); gap: 10px; padding: 5px 10px; }
  .columns { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .03em; padding: 5px 11px 5px 14px; }
  ol { list-style: none; margin: 0; padding: 0; }
  .entry { background: var(--card); border: 1px solid var(--line); border-left: 4px solid var(--unreadable); border-radius: 3px; margin: 0 0 3px; }
  .entry[data-status="accepted"] { border-left-color: var(--accepted); }
  .entry[data-status="rejected"] { border-left-color: var(--rejected); }
  .entry[data-status="failed"] { border-left-color: var(--failed); }
  .entry[data-status="undelivered"] { border-left-color: var(--undelivered); }
  .entry[data-status="filtered"] { border-left-color: var(--filtered); }
  .entry[data-status="duplicate"] { border-left-color: var(--duplicate); }
  .row { width: 100%; margin: 0; border: 0; background: none; text-align: left; cursor: pointer; align-items: baseline; }
  .toggle { display: inline-flex; gap: 4px; align-items: center; white-space: nowrap; cursor: pointer; }
  .destination { display: inline-flex; gap: 6px; align-items: center; white-space: nowrap; }
  .hidden-note { color: var(--muted); font-style: italic; margin: 0; }
  .row:hover { background: #f7f9fc; }
  .row > span { min-width: 0; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .time, .where { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; color: var(--muted); }
  .status { font-weight: 600; font-size: 12px; text-transform: uppercase; }
  .entry[data-status="accepted"] .status { color: var(--accepted); }
  .entry[data-status="rejected"] .status, .where.reason { color: var(--rejected); }
  .entry[data-status="failed"] .status { color: var(--failed); }
  .entry[data-status="undelivered"] .status { color: var(--undelivered); }
  .entry[data-status="duplicate"] .status { color: var(--duplicate); }
  .kept { display: inline-block; padding: 0 5px; border-radius: 3px; background: var(--failed); color: #fff; font-size: 11px; font-weight: 600; }
  .entry[data-kept="true"] { box-shadow: inset 3px 0 0 var(--failed); }
  .name { font-weight: 600; }
  .none { color: #a0a7b3; font-weight: normal; }
  .detail { border-top: 1px solid #eef0f3; padding: 6px 10px 10px; }
  .detail-bar { display: flex; flex-wrap: wrap; gap: 6px 12px; align-items: center; margin-bottom: 6px; }
  .detail-bar button { padding: 3px 10px; border: 1px solid #b8bfca; border-radius: 4px; background: var(--card); cursor: pointer; }
  .meta { color: var(--muted); font-size: 12px; overflow-wrap: anywhere; }
  .detail .full-reason { color: var(--rejected); margin: 0 0 6px; overflow-wrap: anywhere; }
  pre.json { margin: 0; padding: 8px 10px; background: #fbfbfc; border: 1px solid #eef0f3; border-radius: 3px; max-height: 60vh; overflow: auto;
    font: 12px/1.45 ui-monospace, SFMono-Regular, Menlo, monospace; white-space: pre-wrap; overflow-wrap: anywhere; }
  .j-key { color: #0b4f9c; } .j-str { color: #1a7f37; } .j-num { color: #b35900; } .j-lit { color: #8e24aa; } .j-punct { color: #6b7280; }
  .muted { color: var(--muted); }
  .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  @media (max-width: 760px) {
    .top { position: static; }
    .bar, .stats, .controls { padding-left: 10px; padding-right: 10px; }
    main { padding: 0 6px 16px; }
    .columns { display: none; }
    .row { grid-template-columns: auto auto minmax(0, 1fr); grid-template-areas: "time status type" "name name name" "user user source" "where where where"; row-gap: 1px; }
    .time { grid-area: time; } .status { grid-area: status; } .type { grid-area: type; text-align: right; }
    .name { grid-area: name; } .user { grid-area: user; } .source { grid-area: source; text-align: right; } .where { grid-area: where; }
    #shown { margin-left: 0; }
  }
`;

/**
 * The live events page: one self-contained HTML document (inline style and script, no framework, no
 * CDN, works offline) reading `DebugEntry` messages from Server-Sent Events at `eventsPath`. One
 * compact row per event, expanded on click or Enter (empty fields hidden unless asked); search,
 * status and type filters; pause with a bounded history; per-minute counters and a sparkline; a
 * destination picker (one destination's stream at a time). Values reach the page as data attributes
 * and `textContent`, never as HTML.
 */
export function debugPageHtml(options: DebugPageHtmlOptions): string {
  const destinations = options.destinations ?? [
    { id: 'events', streamName: 'events', failedStreamName: 'events-failed' },
  ];
  const seesAnswers = options.seesAnswers !== false;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Live events · kinesis-event-forwarder</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body data-capacity="${options.capacity}" data-events="${escapeHtml(options.eventsPath)}" data-destinations="${escapeHtml(JSON.stringify(destinations))}" data-answers="${seesAnswers}">
<div class="top">
  <header class="bar">
    <h1>Live events</h1>
    <span id="connection" data-state="connecting" role="status">connecting…</span>
    <span class="subtitle">${escapeHtml(options.subtitle)} · last ${options.capacity} events</span>
  </header>
  <section class="stats" aria-label="Events in the last minute">
    <span class="counter" data-status="accepted"><b id="rate-accepted">0</b> accepted/min</span>
${seesAnswers ? '    <span class="counter" data-status="rejected"><b id="rate-rejected">0</b> refused/min</span>\n' : ''}    <span class="counter" data-status="failed" id="failed-counter"><b id="rate-failed">0</b> failed/min</span>
    <span class="counter" data-status="duplicate"><b id="rate-duplicate">0</b> duplicates/min</span>
    <span class="spark">
      <svg id="sparkline" viewBox="0 0 150 28" preserveAspectRatio="none" role="img" aria-labelledby="sparkline-title">
        <title id="sparkline-title">Events per 10 seconds over the last 5 minutes</title>
        <polyline class="all" points=""></polyline><polyline class="bad" points=""></polyline>
      </svg>
      <span aria-hidden="true">5 min</span>
    </span>
  </section>
  <section class="controls" id="controls" aria-label="Filters">
    <label class="destination">Destination <select id="destination"${destinations.length === 1 ? ' disabled' : ''}>${destinations
      .map(
        (destination) =>
          `<option value="${escapeHtml(destination.id)}">${escapeHtml(destination.id)} · ${escapeHtml(destination.streamName)}</option>`,
      )
      .join('')}</select></label>
    <label class="visually-hidden" for="search">Search events</label>
    <input type="search" id="search" placeholder="Search name, user, reason, JSON…  ( / )" autocomplete="off" spellcheck="false">
    <div class="chips" id="status-filters" role="group" aria-label="Status"></div>
    <label class="visually-hidden" for="type-filter">Type</label>
    <select id="type-filter"><option value="">all types</option></select>
    <label class="toggle"><input type="checkbox" id="hide-empty" checked> hide empty fields</label>
    <button type="button" id="pause">Pause</button>
    <button type="button" id="new-count" hidden></button>
    <span id="shown" aria-live="polite"></span>${options.controls ?? ''}
  </section>
</div>
<main>
  <div class="columns" aria-hidden="true"><span>time</span><span>status</span><span>type</span><span>event / page</span><span>user</span><span>source</span><span>partition key · shard / reason</span></div>
  <ol id="entries" aria-label="Events, newest first"></ol>
  <p id="empty" class="muted">No events yet. Send one and it shows here.</p>
  <p id="no-match" class="muted" hidden>No event matches the search and filters.</p>
</main>
<script>${DEBUG_PAGE_SCRIPT}</script>${(options.scripts ?? []).map((script) => `\n<script>${script}</script>`).join('')}
</body>
</html>
`;
}
