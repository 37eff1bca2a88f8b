/**
 * The live events page: plain HTML and one inline script (no framework, no CDN). It listens to
 * `/_debug/events` (Server-Sent Events; each message is one `DebugEntry`) and shows the newest
 * first, every entry's JSON pretty-printed. Text goes in with `textContent`, never as HTML.
 */
export function debugPageHtml(capacity: number): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>kinesis-event-forwarder: live events</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; background: #f6f7f9; color: #1d2330; }
  header { position: sticky; top: 0; background: #1d2330; color: #fff; padding: 10px 16px; display: flex; gap: 16px; align-items: baseline; }
  header h1 { font-size: 16px; margin: 0; }
  #connection[data-state="open"] { color: #7ee2a8; } #connection[data-state="closed"] { color: #ff9b9b; }
  main { padding: 12px 16px; }
  .entry { background: #fff; border: 1px solid #dde1e7; border-left: 6px solid #999; border-radius: 4px; margin: 0 0 8px; }
  .entry[data-status="accepted"] { border-left-color: #1f9d55; }
  .entry[data-status="rejected"], .entry[data-status="unreadable"] { border-left-color: #d64545; }
  .entry[data-status="undelivered"] { border-left-color: #d69e2e; }
  .entry summary { cursor: pointer; padding: 6px 10px; display: flex; gap: 12px; flex-wrap: wrap; }
  .status { font-weight: 600; text-transform: uppercase; font-size: 12px; }
  .reason { color: #b02a2a; }
  .muted { color: #6b7280; }
  pre { margin: 0; padding: 8px 10px; background: #fbfbfc; border-top: 1px solid #eef0f3; overflow: auto; font: 12px/1.45 ui-monospace, monospace; }
</style>
</head>
<body>
<header>
  <h1>Live events</h1>
  <span id="connection" data-state="connecting">connecting…</span>
  <span class="muted">last ${capacity} events: accepted ones as read back from the stream, refused ones with their reason</span>
</header>
<main><div id="entries"></div><p id="empty" class="muted">No events yet. Send one to this collector.</p></main>
<script>
(() => {
  const MAX = ${capacity};
  const list = document.getElementById('entries');
  const empty = document.getElementById('empty');
  const connection = document.getElementById('connection');
  const el = (tag, className, text) => {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  };
  const describe = (json) => {
    if (!json || typeof json !== 'object') return '';
    return [json.type, json.event || json.name, json.user_id || json.userId || json.anonymous_id || json.anonymousId]
      .filter((part) => typeof part === 'string' && part !== '').join(' · ');
  };
  const render = (entry) => {
    const item = el('details', 'entry');
    item.open = true;
    item.dataset.status = entry.status;
    item.dataset.id = String(entry.id);
    const json = entry.json;
    const eventId = json && (json.event_id || json.messageId);
    if (typeof eventId === 'string') item.dataset.eventId = eventId;
    const summary = el('summary');
    summary.append(el('span', 'muted', entry.at), el('span', 'status', entry.status), el('span', 'what', describe(json)));
    if (entry.reason) summary.append(el('span', 'reason', entry.reason));
    if (entry.shard) summary.append(el('span', 'muted', entry.shard.shardId + ' · pk=' + entry.shard.partitionKey));
    if (entry.request) summary.append(el('span', 'muted', entry.request.method + ' ' + entry.request.path + ' → ' + entry.request.statusCode));
    item.append(summary, el('pre', 'json', JSON.stringify(json, null, 2)));
    list.prepend(item);
    while (list.children.length > MAX) list.lastElementChild.remove();
    empty.hidden = true;
  };
  const source = new EventSource('/_debug/events');
  source.onopen = () => {
    // The server replays what it keeps on every (re)connection.
    list.replaceChildren();
    connection.textContent = 'live';
    connection.dataset.state = 'open';
  };
  source.onerror = () => {
    connection.textContent = 'disconnected, retrying…';
    connection.dataset.state = 'closed';
  };
  source.onmessage = (message) => render(JSON.parse(message.data));
})();
</script>
</body>
</html>
`;
}
