/**
 * The live events page's browser script (plain ES2020, run inline: no build step, no library).
 * It reads its settings from `<body data-capacity data-events>`, listens to the Server-Sent Events
 * there (the server replays what it keeps on every connection) and keeps at most `capacity` rows.
 * Every value goes into the page with `textContent`; the JSON colouring builds spans, never HTML.
 * Kept as a raw string so backslashes reach the browser as written; it must hold no backtick and
 * no dollar-brace.
 */
export const DEBUG_PAGE_SCRIPT = String.raw`
(() => {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const MAX = Number(document.body.dataset.capacity) || 200;
  const list = $('entries');
  const empty = $('empty');
  const noMatch = $('no-match');
  const connection = $('connection');
  const search = $('search');
  const typeFilter = $('type-filter');
  const chips = $('status-filters');
  const pauseButton = $('pause');
  const newCount = $('new-count');
  const shown = $('shown');
  const hideEmpty = $('hide-empty');
  const picker = $('destination');
  const failedCounter = $('failed-counter');
  /** The destinations the page can follow: { id, streamName, failedStreamName? }. */
  const DESTINATIONS = JSON.parse(document.body.dataset.destinations || '[]');
  /** Whether the page hears the collector's answers (local mode): else nothing is ever refused here. */
  const ANSWERS = document.body.dataset.answers !== 'false';
  const LABELS = { rejected: 'refused' };
  /** The mark of a refused event written to the failed-events stream. */
  const KEPT = 'failed stream';
  /** Chips always offered; any other status gets one when it first shows up. */
  const STATUS_ORDER = ['accepted', 'rejected', 'filtered', 'failed', 'duplicate', 'undelivered', 'unreadable'];
  const ALWAYS = ANSWERS ? ['accepted', 'rejected', 'failed'] : ['accepted', 'failed'];
  const WINDOW_MS = 5 * 60000;
  const BUCKET_MS = 10000;
  const BUCKETS = WINDOW_MS / BUCKET_MS;

  const entries = new WeakMap();
  const haystacks = new WeakMap();
  const state = { paused: false, pending: [], missed: 0, terms: [], statuses: new Set(), type: '' };
  const statusCounts = new Map();
  const types = new Set();
  let arrivals = [];
  /** Each entry received, by id, so one sent again updates its row instead of adding one. */
  const arrivalsById = new Map();

  const el = (tag, className, text) => {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  };
  const label = (status) => LABELS[status] || status;
  const str = (value) => (typeof value === 'string' && value !== '' ? value : undefined);
  const isObject = (value) => value !== null && typeof value === 'object' && !Array.isArray(value);
  const pad = (n, width) => String(n).padStart(width || 2, '0');
  const clock = (iso) => {
    const time = new Date(iso);
    if (Number.isNaN(time.getTime())) return String(iso);
    return pad(time.getHours()) + ':' + pad(time.getMinutes()) + ':' + pad(time.getSeconds()) + '.' + pad(time.getMilliseconds(), 3);
  };
  const shortShard = (shardId) => {
    const match = /(\d+)$/.exec(shardId || '');
    return match ? 'shard ' + Number(match[1]) : String(shardId);
  };

  /**
   * The row's fields: from the envelope, the message as sent, or a failed-stream record's payload; the
   * type the request's path gives when the message names none (or could not be read).
   */
  const fieldsOf = (entry) => {
    const json = isObject(entry.json) ? entry.json : {};
    const failure = isObject(json.failure) ? json.failure : undefined;
    const message = failure && isObject(json.payload) ? json.payload : json;
    const user = str(message.user_id) || str(message.userId);
    const anonymous = str(message.anonymous_id) || str(message.anonymousId);
    const batch = Array.isArray(message.batch);
    return {
      type: str(message.type) || str(entry.type) || (batch ? 'batch' : ''),
      name: str(message.event) || str(message.name) || (batch ? message.batch.length + ' messages' : '') ||
        (typeof entry.json === 'string' || (failure && str(json.raw) !== undefined) ? 'raw request body' : '') ||
        (entry.hidden ? 'body not shown' : ''),
      user: user || (anonymous ? 'anon:' + anonymous : ''),
      source: str(entry.source) || str(json.source_id) || str(message.source_id) || '',
      reason: str(entry.reason) || (failure && str(failure.reason)) || '',
      eventId: str(message.event_id) || str(message.messageId) || str(json.event_id) || '',
      where: entry.shard ? 'pk=' + entry.shard.partitionKey + ' · ' + shortShard(entry.shard.shardId) : '',
    };
  };

  const cell = (className, text) => el('span', text ? className : className + ' none', text || '—');

  const render = (entry) => {
    const fields = fieldsOf(entry);
    const item = el('li', 'entry');
    item.dataset.status = entry.status;
    item.dataset.id = String(entry.id);
    item.dataset.type = fields.type;
    if (fields.eventId) item.dataset.eventId = fields.eventId;
    const row = el('button', 'row');
    row.type = 'button';
    row.setAttribute('aria-expanded', 'false');
    row.setAttribute('aria-controls', 'detail-' + entry.id);
    const time = cell('time', clock(entry.at));
    time.title = entry.at;
    const where = fields.reason ? cell('where reason', fields.reason) : cell('where', fields.where);
    where.title = fields.reason || (entry.shard ? entry.shard.shardId + ' · ' + entry.shard.sequenceNumber : '');
    if (entry.failedStream) {
      item.dataset.kept = 'true';
      const kept = el('span', 'kept', KEPT);
      kept.title = 'written to the failed-events stream: ' + entry.failedStream.shardId + ' · ' + entry.failedStream.sequenceNumber;
      where.prepend(kept, ' ');
    }
    row.append(time, cell('status', label(entry.status)), cell('type', fields.type), cell('name', fields.name),
      cell('user', fields.user), cell('source', fields.source), where);
    const detail = el('div', 'detail');
    detail.id = 'detail-' + entry.id;
    detail.hidden = true;
    item.append(row, detail);
    entries.set(item, entry);
    const request = entry.request ? entry.request.method + ' ' + entry.request.path + ' ' + entry.request.statusCode : '';
    haystacks.set(item, [row.textContent, label(entry.status), entry.failedStream ? KEPT : '', fields.reason, fields.eventId, request,
      entry.shard ? entry.shard.shardId + ' ' + entry.shard.partitionKey : '',
      JSON.stringify(entry.json)].join('\n').toLowerCase());
    return item;
  };

  /** JSON text as spans coloured by token: keys, strings, numbers, true/false/null, punctuation. */
  const TOKEN = /("(?:\\.|[^"\\])*")(\s*:)?|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|\b(true|false|null)\b|([{}\[\],])/g;
  const highlight = (target, text) => {
    let last = 0;
    for (const match of text.matchAll(TOKEN)) {
      if (match.index > last) target.append(text.slice(last, match.index));
      if (match[1] !== undefined) {
        target.append(el('span', match[2] ? 'j-key' : 'j-str', match[1]));
        if (match[2]) target.append(el('span', 'j-punct', match[2]));
      } else if (match[3] !== undefined) target.append(el('span', 'j-num', match[3]));
      else if (match[4] !== undefined) target.append(el('span', 'j-lit', match[4]));
      else target.append(el('span', 'j-punct', match[5]));
      last = match.index + match[0].length;
    }
    if (last < text.length) target.append(text.slice(last));
  };

  const copyText = (text, button) => {
    const done = (ok) => {
      button.textContent = ok ? 'Copied' : 'Copy failed: select the text';
      setTimeout(() => { button.textContent = 'Copy JSON'; }, 1500);
    };
    const fallback = () => {
      const area = el('textarea', 'visually-hidden');
      area.value = text;
      area.setAttribute('readonly', '');
      document.body.append(area);
      area.select();
      let ok = false;
      try { ok = document.execCommand('copy'); } catch (error) { ok = false; }
      area.remove();
      done(ok);
    };
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).then(() => done(true), fallback);
    else fallback();
  };

  /** A copy of value without null, empty-string, empty-object and empty-array fields; counts what it drops. */
  const withoutEmpty = (value, dropped) => {
    if (Array.isArray(value)) return value.map((item) => withoutEmpty(item, dropped));
    if (!isObject(value)) return value;
    const kept = {};
    for (const [key, item] of Object.entries(value)) {
      const pruned = withoutEmpty(item, dropped);
      const empty = pruned === null || pruned === '' ||
        (Array.isArray(pruned) && pruned.length === 0) || (isObject(pruned) && Object.keys(pruned).length === 0);
      if (empty) dropped.count++;
      else kept[key] = pruned;
    }
    return kept;
  };

  const fillDetail = (detail, entry) => {
    const dropped = { count: 0 };
    const json = hideEmpty.checked ? withoutEmpty(entry.json, dropped) : entry.json;
    const text = JSON.stringify(json, null, 2) || 'null';
    const bar = el('div', 'detail-bar');
    const copy = el('button', 'copy', 'Copy JSON');
    copy.type = 'button';
    copy.addEventListener('click', () => copyText(text, copy));
    const meta = [];
    if (entry.shard) meta.push(entry.shard.shardId, 'pk ' + entry.shard.partitionKey, 'seq ' + entry.shard.sequenceNumber);
    if (entry.failedStream) {
      meta.push('written to the failed-events stream: ' + entry.failedStream.shardId + ', seq ' + entry.failedStream.sequenceNumber);
    }
    if (entry.request) {
      meta.push(entry.request.method + ' ' + entry.request.path + (entry.request.statusCode ? ' → ' + entry.request.statusCode : ''));
    }
    meta.push(entry.at);
    if (dropped.count > 0) meta.push(dropped.count + ' empty field' + (dropped.count === 1 ? '' : 's') + ' hidden');
    bar.append(copy, el('span', 'meta', meta.join(' · ')));
    detail.append(bar);
    const reason = fieldsOf(entry).reason;
    if (reason) detail.append(el('p', 'full-reason', reason));
    if (entry.hidden) {
      copy.hidden = true;
      detail.append(el('p', 'hidden-note', entry.hidden));
      return;
    }
    const pre = el('pre', 'json');
    pre.tabIndex = 0;
    highlight(pre, text);
    detail.append(pre);
  };

  const toggle = (item) => {
    const row = item.firstElementChild;
    const detail = item.lastElementChild;
    const open = row.getAttribute('aria-expanded') !== 'true';
    if (open && !detail.hasChildNodes()) fillDetail(detail, entries.get(item));
    row.setAttribute('aria-expanded', String(open));
    detail.hidden = !open;
  };

  /** The status chips an entry counts under: its status, and failed when it was written to the failed stream. */
  const chipsOf = (entry) => (entry.failedStream && entry.status !== 'failed' ? [entry.status, 'failed'] : [entry.status]);

  const matches = (item) =>
    (state.statuses.size === 0 || chipsOf(entries.get(item)).some((status) => state.statuses.has(status))) &&
    (state.type === '' || item.dataset.type === state.type) &&
    state.terms.every((term) => haystacks.get(item).includes(term));

  const updateShown = () => {
    let visible = 0;
    for (const item of list.children) if (!item.hidden) visible++;
    const total = list.children.length;
    empty.hidden = total > 0;
    noMatch.hidden = total === 0 || visible > 0;
    shown.textContent = total === 0 ? '' : visible === total ? total + ' shown' : visible + ' of ' + total + ' shown';
  };

  const applyFilters = () => {
    for (const item of list.children) item.hidden = !matches(item);
    updateShown();
  };

  const chip = (status) => {
    let button = chips.querySelector('[data-status="' + CSS.escape(status) + '"]');
    if (button) return button;
    button = el('button', 'chip');
    button.type = 'button';
    button.dataset.status = status;
    button.setAttribute('aria-pressed', 'false');
    button.append(label(status), el('span', 'n', '0'));
    const rank = (value) => { const at = STATUS_ORDER.indexOf(value); return at === -1 ? STATUS_ORDER.length : at; };
    const before = [...chips.children].find((other) => rank(other.dataset.status) > rank(status));
    chips.insertBefore(button, before || null);
    return button;
  };
  const countStatus = (status, by) => {
    statusCounts.set(status, (statusCounts.get(status) || 0) + (by || 1));
    chip(status).lastElementChild.textContent = String(statusCounts.get(status));
  };

  const addType = (type) => {
    if (!type || types.has(type)) return;
    types.add(type);
    const option = el('option', '', type);
    option.value = type;
    const before = [...typeFilter.options].slice(1).find((other) => other.value > type);
    typeFilter.insertBefore(option, before || null);
  };

  const insert = (entry) => {
    const item = render(entry);
    item.hidden = !matches(item);
    list.prepend(item);
    while (list.children.length > MAX) list.lastElementChild.remove();
  };

  const updateNew = () => {
    newCount.hidden = state.missed === 0;
    newCount.textContent = state.missed + ' new';
    newCount.title = 'Resume and show them';
  };

  const pause = () => {
    state.paused = true;
    pauseButton.textContent = 'Resume';
    pauseButton.dataset.paused = 'true';
    updateNew();
  };
  const resume = () => {
    state.paused = false;
    pauseButton.textContent = 'Pause';
    pauseButton.dataset.paused = 'false';
    const held = state.pending;
    state.pending = [];
    state.missed = 0;
    for (const entry of held) insert(entry);
    updateNew();
    updateShown();
  };

  /** How many events an entry stands for: a duplicate entry holds every duplicate of its request. */
  const eventsOf = (entry) => (entry.status === 'duplicate' && entry.duplicates > 0 ? entry.duplicates : 1);

  /** Per-minute counters and the sparkline, from arrival times of the last five minutes. */
  const drawRates = () => {
    const now = Date.now();
    arrivals = arrivals.filter((arrival) => arrival.time > now - WINDOW_MS);
    const minute = { accepted: 0, rejected: 0, failed: 0, duplicate: 0 };
    const all = new Array(BUCKETS).fill(0);
    const bad = new Array(BUCKETS).fill(0);
    for (const arrival of arrivals) {
      if (arrival.time > now - 60000) {
        for (const status of chipsOf(arrival.entry)) if (status in minute) minute[status] += eventsOf(arrival.entry);
      }
      const bucket = BUCKETS - 1 - Math.min(BUCKETS - 1, Math.max(0, Math.floor((now - arrival.time) / BUCKET_MS)));
      all[bucket] += eventsOf(arrival.entry);
      // A duplicate was answered as accepted: nothing is wrong with it.
      if (arrival.entry.status !== 'accepted' && arrival.entry.status !== 'duplicate') bad[bucket]++;
    }
    for (const status of Object.keys(minute)) {
      const counter = $('rate-' + status);
      if (counter && !(status === 'failed' && failedCounter.dataset.none === 'true')) counter.textContent = String(minute[status]);
    }
    const top = Math.max(1, ...all);
    const points = (values) => values.map((value, index) =>
      (index * 150 / (BUCKETS - 1)).toFixed(1) + ',' + (26 - value * 24 / top).toFixed(1)).join(' ');
    const lines = document.querySelectorAll('#sparkline polyline');
    lines[0].setAttribute('points', points(all));
    lines[1].setAttribute('points', points(bad));
  };
  let ratesQueued = false;
  const queueRates = () => {
    if (ratesQueued) return;
    ratesQueued = true;
    setTimeout(() => { ratesQueued = false; drawRates(); }, 200);
  };

  /** An entry the server sends again with the same id (a refusal marked as written to the failed stream). */
  const update = (entry, arrival) => {
    const before = chipsOf(arrival.entry);
    const after = chipsOf(entry);
    for (const status of before) if (!after.includes(status)) countStatus(status, -1);
    for (const status of after) if (!before.includes(status)) countStatus(status);
    arrival.entry = entry;
    queueRates();
    const held = state.pending.findIndex((pending) => pending.id === entry.id);
    if (held !== -1) state.pending[held] = entry;
    const shownItem = list.querySelector('.entry[data-id="' + Number(entry.id) + '"]');
    if (!shownItem) return;
    const open = shownItem.firstElementChild.getAttribute('aria-expanded') === 'true';
    const item = render(entry);
    item.hidden = !matches(item);
    shownItem.replaceWith(item);
    if (open) toggle(item);
    updateShown();
  };

  const receive = (entry) => {
    const known = arrivalsById.get(entry.id);
    if (known) return update(entry, known);
    const time = Date.parse(entry.at);
    const arrival = { time: Number.isNaN(time) ? Date.now() : time, entry };
    arrivals.push(arrival);
    arrivalsById.set(entry.id, arrival);
    if (arrivalsById.size > 4 * MAX) arrivalsById.delete(arrivalsById.keys().next().value);
    for (const status of chipsOf(entry)) countStatus(status);
    addType(fieldsOf(entry).type);
    queueRates();
    if (state.paused) {
      state.pending.push(entry);
      if (state.pending.length > MAX) state.pending.shift();
      state.missed++;
      updateNew();
      return;
    }
    insert(entry);
    updateShown();
  };

  const reset = () => {
    list.replaceChildren();
    arrivals = [];
    arrivalsById.clear();
    state.pending = [];
    state.missed = 0;
    statusCounts.clear();
    for (const button of chips.children) button.lastElementChild.textContent = '0';
    updateNew();
    updateShown();
  };

  for (const status of ALWAYS) chip(status);
  chips.addEventListener('click', (event) => {
    const button = event.target.closest('.chip');
    if (!button) return;
    const on = button.getAttribute('aria-pressed') !== 'true';
    button.setAttribute('aria-pressed', String(on));
    if (on) state.statuses.add(button.dataset.status);
    else state.statuses.delete(button.dataset.status);
    applyFilters();
  });
  typeFilter.addEventListener('change', () => { state.type = typeFilter.value; applyFilters(); });
  hideEmpty.addEventListener('change', () => {
    for (const item of list.children) {
      const detail = item.lastElementChild;
      if (!detail.hasChildNodes()) continue;
      detail.replaceChildren();
      if (!detail.hidden) fillDetail(detail, entries.get(item));
    }
  });
  search.addEventListener('input', () => {
    state.terms = search.value.toLowerCase().split(/\s+/).filter((term) => term !== '');
    applyFilters();
  });
  pauseButton.addEventListener('click', () => (state.paused ? resume() : pause()));
  newCount.addEventListener('click', resume);
  list.addEventListener('click', (event) => {
    const row = event.target.closest('.row');
    if (row && list.contains(row)) toggle(row.parentElement);
  });
  list.addEventListener('keydown', (event) => {
    const row = event.target.closest('.row');
    if (!row) return;
    const rows = [...list.children].filter((item) => !item.hidden).map((item) => item.firstElementChild);
    const at = rows.indexOf(row);
    const next = { ArrowDown: rows[at + 1], ArrowUp: rows[at - 1], Home: rows[0], End: rows[rows.length - 1] }[event.key];
    if (next) { next.focus(); event.preventDefault(); }
  });
  document.addEventListener('keydown', (event) => {
    const typing = event.target.closest && event.target.closest('input, select, textarea');
    if (event.key === '/' && !typing) { search.focus(); event.preventDefault(); }
  });
  setInterval(drawRates, 1000);
  drawRates();
  updateShown();

  /** Follows one destination: its events from the server (which replays what it keeps), the list reset. */
  let source;
  const follow = (id) => {
    const destination = DESTINATIONS.find((one) => one.id === id) || DESTINATIONS[0];
    if (source) source.close();
    reset();
    const none = Boolean(destination) && !destination.failedStreamName;
    failedCounter.dataset.none = String(none);
    failedCounter.title = !destination ? '' : none ? 'no failed-events stream is read for this destination'
      : 'written to the failed-events stream "' + destination.failedStreamName + '" in the last minute';
    if (none) $('rate-failed').textContent = '–';
    const path = document.body.dataset.events;
    source = new EventSource(destination ? path + '?destination=' + encodeURIComponent(destination.id) : path);
    source.onopen = () => {
      reset();
      connection.textContent = 'live';
      connection.dataset.state = 'open';
    };
    source.onerror = () => {
      connection.textContent = 'disconnected, retrying…';
      connection.dataset.state = 'closed';
    };
    source.onmessage = (message) => receive(JSON.parse(message.data));
  };
  picker.addEventListener('change', () => {
    const url = new URL(location.href);
    url.searchParams.set('destination', picker.value);
    history.replaceState(null, '', url);
    follow(picker.value);
  });
  const asked = new URLSearchParams(location.search).get('destination');
  if (DESTINATIONS.some((one) => one.id === asked)) picker.value = asked;
  follow(picker.value);
})();
`;
