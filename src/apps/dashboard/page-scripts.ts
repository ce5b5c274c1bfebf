/**
 * The scripts of the studies page and the study page, run in the browser. They build every
 * element with createElement and textContent (no HTML from data), read the JSON API with the
 * page's own cookie, and show a banner when the server says something is wrong, clearing it
 * when it recovers. Numbers the API sends as "Infinity", "-Infinity" or "NaN" are shown as such.
 */

/** Helpers both pages use. */
const COMMON = `
var data = JSON.parse(document.getElementById('dashboard-data').textContent);
function el(tag, text, attrs) {
  var e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (attrs) for (var k in attrs) e.setAttribute(k, attrs[k]);
  return e;
}
function banner(message) {
  var b = document.getElementById('banner');
  b.textContent = message || '';
  b.style.display = message ? 'block' : 'none';
}
function fmt(v) {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}
function getJson(url) {
  return fetch(url, { credentials: 'same-origin' }).then(function (r) {
    return r.json().catch(function () { return { error: 'the server answered ' + r.status }; }).then(function (body) {
      if (!r.ok) throw new Error(body && body.error ? body.error : 'the server answered ' + r.status);
      return body;
    });
  });
}
function table(columns, rows) {
  var t = el('table');
  var head = el('tr');
  columns.forEach(function (c) { head.appendChild(c.nodeType ? c : el('th', c)); });
  t.appendChild(el('thead')).appendChild(head);
  var body = t.appendChild(el('tbody'));
  rows.forEach(function (r) {
    var tr = body.appendChild(el('tr'));
    if (r.className) tr.className = r.className;
    r.cells.forEach(function (c) { var td = tr.appendChild(el('td')); if (c && c.nodeType) td.appendChild(c); else td.textContent = fmt(c); });
  });
  return t;
}
function link(text, href) { return el('a', text, { href: href }); }
`;

export const STUDIES_SCRIPT = `(function () {
${COMMON}
function duration(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  if (seconds === 0) return 'done';
  if (seconds < 90) return Math.round(seconds) + ' s';
  if (seconds < 5400) return Math.round(seconds / 60) + ' min';
  return (seconds / 3600).toFixed(1) + ' h';
}
function processes(list) {
  if (list === null) return 'not recorded';
  if (!list.length) return '—';
  return list.map(function (p) {
    var who = p.host === null ? 'unclaimed' : p.host + ':' + p.pid;
    var beat = p.lastHeartbeat ? Math.max(0, Math.round((Date.now() - Date.parse(p.lastHeartbeat)) / 1000)) + ' s ago' : 'no beat yet';
    return who + ' (' + p.running + ', ' + beat + ')';
  }).join('; ');
}
function render(body) {
  var rows = body.studies.map(function (s) {
    var best = s.best ? fmt(s.best.value) + ' (#' + s.best.number + ')' : '—';
    var rate = s.perSecond === null ? '—' : (s.perSecond * 60).toFixed(1);
    var progress = s.target === null ? '—' : (s.counts.COMPLETE + s.counts.PRUNED) + ' of ' + s.target + (s.coverage === null ? '' : ' (grid ' + (100 * s.coverage).toFixed(1) + '%)');
    return { cells: [link(s.name, '/study?name=' + encodeURIComponent(s.name)), s.state, s.objectives.map(function (o, k) { return s.directions[k] + ' ' + o; }).join(', '),
      s.trials, s.counts.COMPLETE, s.counts.RUNNING, s.counts.WAITING, s.counts.PRUNED, s.counts.FAIL, progress, rate, duration(s.etaSeconds), best, processes(s.processes), s.lastActivity ? s.lastActivity.replace('T', ' ').slice(0, 19) : '—'] };
  });
  var box = document.getElementById('studies');
  box.replaceChildren(rows.length ? table(['study', 'state', 'objectives', 'trials', 'complete', 'running', 'waiting', 'pruned', 'failed', 'finished of target', 'per minute', 'time left', 'best (trial)', 'processes (running trials, last heartbeat)', 'last activity (UTC)'], rows) : el('p', 'No studies in ' + (body.where || 'the store') + ' yet.'));
}
function refresh() {
  getJson('/api/studies').then(function (body) { banner(''); render(body); document.getElementById('live').className = 'live on'; document.getElementById('live').textContent = 'live'; })
    .catch(function (err) { banner(err.message + ' (retrying)'); document.getElementById('live').className = 'live'; })
    .then(function () { setTimeout(refresh, 2000); });
}
refresh();
})();`;

export const STUDY_SCRIPT = `(function () {
${COMMON}
var name = data.name;
var q = { offset: 0, limit: 50, sort: 'number', order: 'desc', state: '', param: '' };
var study = null;
var fresh = {};
var reloadTimer = null;
function studyUrl(path, extra) { return path + '?name=' + encodeURIComponent(name) + (extra || ''); }
function renderSummary(s) {
  var rows = [{ cells: [s.trials, s.counts.COMPLETE, s.counts.RUNNING, s.counts.WAITING, s.counts.PRUNED, s.counts.FAIL,
    s.best ? s.best.values.map(fmt).join(', ') + ' (#' + s.best.number + ')' : '—', s.lastActivity ? s.lastActivity.replace('T', ' ').slice(0, 19) : '—'] }];
  document.getElementById('summary').replaceChildren(table(['trials', 'complete', 'running', 'waiting', 'pruned', 'failed', 'best (trial)', 'last activity (UTC)'], rows));
}
function header(label, sort) {
  if (!sort) return el('th', label);
  var th = el('th', label + (q.sort === sort ? (q.order === 'asc' ? ' ▲' : ' ▼') : ''), { class: 'sortable', title: 'sort' });
  th.addEventListener('click', function () {
    if (q.sort === sort) q.order = q.order === 'asc' ? 'desc' : 'asc'; else { q.sort = sort; q.order = sort === 'number' ? 'desc' : (study.directions[Number(sort.split(':')[1] || 0)] === 'maximize' ? 'desc' : 'asc'); }
    q.offset = 0;
    loadTrials();
  });
  return th;
}
function renderTrials(page) {
  var columns = [header('#', 'number'), el('th', 'state')];
  study.objectives.forEach(function (o, k) { columns.push(header(o, 'value:' + k)); });
  study.paramNames.forEach(function (p) { columns.push(el('th', p)); });
  columns.push(el('th', 'seconds'), el('th', 'finished (UTC)'));
  var rows = page.trials.map(function (t) {
    var cells = [link(String(t.number), '/trial?name=' + encodeURIComponent(name) + '&number=' + t.number), t.state];
    study.objectives.forEach(function (_o, k) { cells.push(t.values ? t.values[k] : null); });
    study.paramNames.forEach(function (p) { cells.push(t.params[p]); });
    cells.push(t.seconds === null ? null : Number(t.seconds.toFixed(3)), t.datetimeComplete ? t.datetimeComplete.replace('T', ' ').slice(0, 19) : null);
    return { cells: cells, className: fresh[t.number] ? 'fresh' : '' };
  });
  document.getElementById('trials').replaceChildren(rows.length ? table(columns, rows) : el('p', 'No trials match.'));
  var last = page.offset + page.trials.length;
  // A filtered total is counted only so far past the page: "of 1,050+".
  document.getElementById('position').textContent = ' ' + (page.trials.length ? page.offset + 1 : 0) + '–' + last + ' of ' + page.total.toLocaleString('en-US') + (page.totalCapped ? '+' : '') + ' ';
  document.getElementById('prev').disabled = page.offset === 0;
  document.getElementById('next').disabled = !page.totalCapped && last >= page.total;
  fresh = {};
}
function trialsQuery() {
  var s = '&offset=' + q.offset + '&limit=' + q.limit + '&sort=' + encodeURIComponent(q.sort) + '&order=' + q.order;
  if (q.state) s += '&state=' + encodeURIComponent(q.state);
  if (q.param) s += '&param=' + encodeURIComponent(q.param);
  return s;
}
function loadTrials() {
  return getJson(studyUrl('/api/trials', trialsQuery())).then(function (page) { banner(''); renderTrials(page); })
    .catch(function (err) { banner(err.message); });
}
function loadAll() {
  return getJson(studyUrl('/api/study')).then(function (s) { study = s; banner(''); renderSummary(s); return loadTrials(); })
    .catch(function (err) { banner(err.message); });
}
// The report's sections in a frame, built when first opened; they show the study as it was then,
// and the button offers a rebuild once the study has more trials (the server keeps a built page
// until the study changes, so reopening an unchanged study costs nothing).
var charts = document.getElementById('charts');
var chartsFrame = document.getElementById('charts-frame');
var chartsRebuild = document.getElementById('charts-rebuild');
var chartsTrials = null;
function loadCharts() {
  chartsTrials = study ? study.trials : null;
  chartsRebuild.hidden = true;
  document.getElementById('charts-state').textContent = chartsTrials === null ? '' : 'Drawn for ' + chartsTrials.toLocaleString('en-US') + ' trials.';
  chartsFrame.src = studyUrl('/study/report');
}
function offerRebuild() {
  if (chartsTrials !== null && study && study.trials !== chartsTrials) {
    chartsRebuild.hidden = false;
    chartsRebuild.textContent = 'rebuild with the ' + (study.trials - chartsTrials).toLocaleString('en-US') + ' new trials';
  }
}
charts.addEventListener('toggle', function () { if (charts.open && !chartsFrame.getAttribute('src')) loadCharts(); });
chartsRebuild.addEventListener('click', loadCharts);
function scheduleReload() {
  if (reloadTimer) return;
  reloadTimer = setTimeout(function () { reloadTimer = null; loadTrials(); }, 250);
}
/** The counts and best an event carries (the study's watch on the server): no request needed. */
function updateSummary(state) {
  if (!study) return;
  study.trials = state.trials; study.counts = state.counts; study.best = state.best; study.lastActivity = state.lastActivity;
  renderSummary(study);
  offerRebuild();
}
document.getElementById('state').addEventListener('change', function (e) { q.state = e.target.value; q.offset = 0; loadTrials(); });
document.getElementById('limit').addEventListener('change', function (e) { q.limit = Number(e.target.value); q.offset = 0; loadTrials(); });
document.getElementById('param').addEventListener('change', function (e) { q.param = e.target.value.trim(); q.offset = 0; loadTrials(); });
document.getElementById('prev').addEventListener('click', function () { q.offset = Math.max(0, q.offset - q.limit); loadTrials(); });
document.getElementById('next').addEventListener('click', function () { q.offset += q.limit; loadTrials(); });
var live = document.getElementById('live');
var events = new EventSource(studyUrl('/api/events'));
events.addEventListener('ready', function () { live.className = 'live on'; live.textContent = 'live'; loadAll(); });
events.addEventListener('trials', function (e) {
  var body = JSON.parse(e.data);
  body.changed.forEach(function (t) { fresh[t.number] = true; });
  live.className = 'live on'; live.textContent = 'live';
  banner('');
  updateSummary(body);
  scheduleReload();
});
events.addEventListener('problem', function (e) { banner(JSON.parse(e.data).message + ' (retrying)'); live.className = 'live'; live.textContent = 'waiting'; });
events.addEventListener('gone', function (e) { banner(JSON.parse(e.data).message); live.className = 'live'; live.textContent = 'gone'; });
events.onerror = function () { live.className = 'live'; live.textContent = 'reconnecting'; };
loadAll();
})();`;
