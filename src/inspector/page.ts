// The inspector page: one self-contained HTML document (inline CSS and JS; the statechart SVGs come from
// this server's /api/chart, laid out in Node) so it works with no internet. Left: the actor tree of every
// system. Middle: the selected actor's status card, allowed commands, drawn statechart (active states
// lit, last transition marked) and sanitised context. Right: a sequence view of events between actors
// and the filtered log. Bottom: the timeline; scrubbing it shows every actor as it was at that record.
// Every request carries the per-run key from the page's own URL. No backtick or dollar-brace below: the
// page is a String.raw literal.
export const INSPECTOR_PAGE = String.raw`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>openclaw-supervisor inspector</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
:root{--bg:#0f1216;--panel:#171b21;--line:#2a313b;--text:#d8dee9;--dim:#7b8696;--on:#3fb68b;--edge:#e0af68;--err:#e06c75;--page:#7aa2f7}
*{box-sizing:border-box}body{margin:0;font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace;background:var(--bg);color:var(--text);height:100vh;display:flex;flex-direction:column}
header{padding:8px 14px;border-bottom:1px solid var(--line);display:flex;gap:16px;align-items:center}
header b{font-size:14px}#conn{color:var(--dim)}
main{flex:1;display:grid;grid-template-columns:240px minmax(0,1fr) 420px;gap:10px;padding:10px;min-height:0}
section{background:var(--panel);border:1px solid var(--line);border-radius:6px;padding:8px;overflow:auto;min-height:0}
h3{margin:0 0 6px;font-size:12px;color:var(--dim);text-transform:uppercase;letter-spacing:.05em}
#tree ul{list-style:none;margin:0;padding-left:14px}#tree>ul{padding-left:0}
#tree li>div{cursor:pointer;padding:1px 4px;border-radius:4px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
#tree li>div.sel{background:#243040}#tree .st{color:var(--on)}#tree .stopped{color:var(--dim)}
.card{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin-bottom:8px;border:1px solid var(--line);border-radius:6px;padding:6px 10px}
.card .k{color:var(--dim)}.card .err{color:var(--err)}#lifecycle{font-weight:bold;color:var(--on)}
#commands button{background:#243040;color:var(--text);border:1px solid var(--line);border-radius:4px;padding:3px 10px;margin:0 6px 6px 0;cursor:pointer}
#chart{background:#fff;border-radius:6px;overflow:auto;max-height:60vh}#chart svg{max-width:none;height:auto}#chart.fit svg{width:100%}
#ctx{white-space:pre-wrap;color:var(--dim);max-height:220px;overflow:auto;border-top:1px solid var(--line);margin-top:6px;padding-top:4px}
#log div{border-bottom:1px solid #1f252d;padding:2px 0}#log .k{color:var(--dim)}#log .ev{color:var(--edge)}#log .tr{color:var(--on)}#log .cmd{color:var(--page)}
#seq text{fill:var(--text);font:10px ui-monospace,monospace}#seq .life{stroke:var(--line)}#seq .msg{stroke:var(--edge)}#seq .msg.self{stroke:var(--dim)}
footer{padding:6px 14px;border-top:1px solid var(--line);display:flex;gap:10px;align-items:center}
#timeline{flex:1}#when{color:var(--dim);min-width:260px}
input{background:var(--bg);color:var(--text);border:1px solid var(--line);border-radius:4px;padding:3px 6px}
button.live{background:#1d3a2e;color:var(--on);border:1px solid var(--on);border-radius:4px;padding:2px 10px;cursor:pointer}
</style></head><body>
<header><b>openclaw-supervisor inspector</b><span id="conn">connecting…</span>
<label>filter <input id="filter" placeholder="event type or actor"></label></header>
<main>
<section><h3>actors</h3><div id="tree"></div></section>
<section><h3 id="title">select an actor</h3><div id="card" class="card"></div><div id="commands"></div><label><input type="checkbox" id="fit"> fit chart</label><div id="chart"></div><div id="ctx"></div></section>
<section><h3>sequence</h3><svg id="seq" width="400" height="10"></svg><h3>log</h3><div id="log"></div></section>
</main>
<footer><button id="live" class="live">live</button><input id="timeline" type="range" min="0" max="0" value="0"><span id="when">live</span></footer>
<script>
"use strict";
var KEY = new URLSearchParams(location.search).get('key') || '';
function api(path){ return path + (path.indexOf('?') >= 0 ? '&' : '?') + 'key=' + encodeURIComponent(KEY); }
var records = [];            // every record, in order
var actors = new Map();      // actorId -> {actorId, parentId, systemId, id, machineId, rootId, firstIndex}
var machines = new Map();    // actorId -> {definition, commands}
var charts = new Map();      // actorId -> svg text (fetched once per actor)
var selected = null;         // actorId
var cursor = null;           // index into records, null = live
var fit = false, shownKey = '';
var $ = function(id){ return document.getElementById(id); };
function esc(s){ return String(s).replace(/[&<>"]/g, function(c){ return {'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]; }); }
function label(e){ return e === '' ? 'always' : e.replace(/^xstate\.after\.([^.]+)\..*/, 'after $1').replace(/^xstate\.(done|error)\.actor\./, '$1: '); }
function nameOf(id){ var a = actors.get(id); return a ? (a.systemId || a.id || a.machineId || id) : (id || 'host'); }
function valueText(v){ if (v == null) return '?'; if (typeof v === 'string') return v; return Object.keys(v).map(function(k){ return k + '.' + valueText(v[k]); }).join(' | '); }

// The world at a record index: each actor's last snapshot, its last transition, when its pid last changed.
function worldAt(end){
  var w = new Map();
  for (var i = 0; i <= end && i < records.length; i++) {
    var r = records[i];
    if (r.kind !== 'snapshot' && r.kind !== 'microstep') continue;
    var s = w.get(r.actorId) || {};
    var pid = r.context && r.context.pid;
    if (pid !== undefined && pid !== s.pid) { s.pidSince = r.at; s.pid = pid; }
    s.value = r.value; s.status = r.status; s.context = r.context; s.at = r.at; s.seq = r.seq; if (r.children) s.children = r.children;
    if (r.kind === 'microstep' && r.transitions && r.transitions.length) s.last = r.transitions;
    w.set(r.actorId, s);
  }
  return w;
}
function activeIds(def, value){
  var ids = new Set([def.id]);
  function walk(node, v){
    if (typeof v === 'string') { var c = node.states.find(function(s){ return s.key === v; }); if (c) ids.add(c.id); return; }
    if (v && typeof v === 'object') Object.keys(v).forEach(function(k){ var c = node.states.find(function(s){ return s.key === k; }); if (c) { ids.add(c.id); walk(c, v[k]); } });
  }
  walk(def, value); return ids;
}
function findNode(def, id){ if (def.id === id) return def; for (var i = 0; i < def.states.length; i++) { var f = findNode(def.states[i], id); if (f) return f; } return null; }
// The lifecycle a host sees: meta.lifecycle of the deepest active state that has one.
function lifecycleOf(def, value){
  var best = null, bestDepth = -1;
  activeIds(def, value).forEach(function(id){ var n = findNode(def, id); var d = id.split('.').length; if (n && n.meta && n.meta.lifecycle && d > bestDepth) { best = n.meta; bestDepth = d; } });
  return best;
}

// Status cards keyed on the machine id; anything else gets the generic card (state and status).
function pick(ctx, names){ if (!ctx) return undefined; for (var i = 0; i < names.length; i++) { var v = ctx[names[i]]; if (v !== undefined && v !== null) return v; } return undefined; }
function errText(e){ if (e == null) return ''; if (typeof e === 'string') return e; return e.message || e.reason || e.code || JSON.stringify(e); }
// The child of that machine the parent listed at the cursor (an older connection actor is long gone).
function childOf(actorId, machineId, live){ var out = null; actors.forEach(function(a){ if (a.parentId === actorId && a.machineId === machineId && (!live || live.indexOf(a.actorId) >= 0)) out = a.actorId; }); return out; }
var CARDS = {
  gateway: function(a, s, w, now){
    var conn = childOf(a.actorId, 'connection', s.children); var cs = conn ? (w.get(conn) || {}) : {};
    var c = s.context || {};
    return [['pid', c.pid == null ? '—' : c.pid], ['uptime', c.pid == null || !s.pidSince ? '—' : Math.round((now - s.pidSince) / 1000) + ' s'],
      ['bootId', c.bootId || '—'], ['reconnect attempts', cs.context ? cs.context.attempt : '—'], ['crashes', c.crashCount == null ? '—' : c.crashCount],
      ['last error', errText(c.error) || (c.lastExit ? 'exit ' + (c.lastExit.code == null ? c.lastExit.signal : c.lastExit.code) : '—'), 'err']];
  },
  connection: function(a, s){ var c = s.context || {}; return [['attempt', c.attempt], ['pause', c.pauseReason || '—'], ['last error', errText(c.lastRefusal) || c.lastProtocolError || (c.lastClose ? c.lastClose.code + ' ' + c.lastClose.reason : '—'), 'err']]; },
  account: function(a, s){ var c = s.context || {}; return [['attempts', pick(c, ['attempts', 'attempt', 'restartAttempts', 'reconnectAttempts'])], ['last error', errText(pick(c, ['lastError', 'error'])) || '—', 'err'], ['health', pick(c, ['healthState', 'health']) || (s.value && s.value.monitor ? valueText(s.value.monitor) : '—')], ['last restart', pick(c, ['lastRestartReason']) || '—']]; },
};
function cardFor(machineId){ if (!machineId) return null; if (CARDS[machineId]) return CARDS[machineId]; if (/account|channel/i.test(machineId)) return CARDS.account; return null; }

function renderTree(w){
  var roots = [];
  var kids = new Map();
  // An actor is shown while its parent's snapshot (at the cursor) lists it: stopped children drop out.
  actors.forEach(function(a){
    var ps = a.parentId && w.get(a.parentId);
    if (a.parentId && actors.has(a.parentId)) { if (ps && ps.children && ps.children.indexOf(a.actorId) < 0) return; if (!kids.has(a.parentId)) kids.set(a.parentId, []); kids.get(a.parentId).push(a); }
    else if (w.has(a.actorId) || !a.parentId) roots.push(a);
  });
  function item(a){
    var s = w.get(a.actorId) || {};
    var cls = s.status === 'active' || s.status === undefined ? 'st' : 'stopped';
    var html = '<li><div data-actor="' + esc(a.actorId) + '" class="' + (a.actorId === selected ? 'sel' : '') + '">' + esc(nameOf(a.actorId)) + ' <span class="' + cls + '">' + esc(s.value === undefined ? '' : valueText(s.value)) + '</span></div>';
    var c = kids.get(a.actorId); if (c) html += '<ul>' + c.map(item).join('') + '</ul>';
    return html + '</li>';
  }
  $('tree').innerHTML = '<ul>' + roots.map(item).join('') + '</ul>';
}
function renderSelected(w, now){
  if (!selected) return;
  var a = actors.get(selected); var m = machines.get(selected); var s = w.get(selected) || {};
  var life = m && lifecycleOf(m.definition, s.value);
  $('title').innerHTML = esc(nameOf(selected)) + ' <small>' + esc(a && a.machineId || '') + ' · ' + esc(s.status || '?') + '</small>';
  var rows = [['state', '<span id="lifecycle">' + esc(life ? life.lifecycle + (life.phase ? ' (' + life.phase + ')' : '') : valueText(s.value)) + '</span>', 'html'], ['value', valueText(s.value)]];
  var card = cardFor(a && a.machineId);
  if (card) rows = rows.concat(card(a, s, w, now));
  $('card').innerHTML = rows.map(function(r){ return '<span class="k">' + esc(r[0]) + '</span><span class="' + (r[2] === 'err' ? 'err' : '') + '" data-field="' + esc(r[0]) + '">' + (r[2] === 'html' ? r[1] : esc(r[1] === undefined ? '—' : r[1])) + '</span>'; }).join('');
  $('commands').innerHTML = (m && m.commands || []).map(function(c){ return '<button data-command="' + esc(c.name) + '">' + esc(c.label) + '</button>'; }).join('');
  $('ctx').textContent = s.context ? JSON.stringify(s.context, null, 1) : '';
  var svg = $('chart').querySelector('svg');
  if (!svg) return;
  var act = m ? activeIds(m.definition, s.value) : new Set();
  var deepest = null;
  svg.querySelectorAll('[data-state]').forEach(function(g){ var on = act.has(g.getAttribute('data-state')); g.classList.toggle('active', on); if (on) deepest = g; });
  var key = selected + ' ' + JSON.stringify(s.value);
  if (deepest && key !== shownKey && !fit) {
    // Scroll the chart box only (not the page) so the active state sits in its middle.
    shownKey = key; var box = $('chart'), r = deepest.getBoundingClientRect(), b = box.getBoundingClientRect();
    box.scrollTop += r.top - b.top - (box.clientHeight - r.height) / 2; box.scrollLeft += r.left - b.left - (box.clientWidth - r.width) / 2;
  }
  var last = new Set((s.last || []).flatMap(function(t){ return t.targets.map(function(x){ return t.source + '|' + t.eventType + '|' + x; }); }));
  svg.querySelectorAll('[data-edge]').forEach(function(g){ g.classList.toggle('last', last.has(g.getAttribute('data-edge').replace(/#\d+$/, ''))); });
}
function renderSequence(end){
  var evs = [];
  for (var i = Math.min(end, records.length - 1); i >= 0 && evs.length < 28; i--) { var r = records[i]; if (r.kind === 'event' && r.sourceId !== r.actorId) evs.unshift(r); }
  var lanes = [];
  evs.forEach(function(r){ [nameOf(r.sourceId), nameOf(r.actorId)].forEach(function(n){ if (lanes.indexOf(n) < 0) lanes.push(n); }); });
  var W = 400, gap = lanes.length > 1 ? (W - 40) / (lanes.length - 1) : 0, x = function(n){ return 20 + lanes.indexOf(n) * gap; };
  var H = 30 + evs.length * 18, out = [];
  lanes.forEach(function(n){ out.push('<line class="life" x1="' + x(n) + '" y1="14" x2="' + x(n) + '" y2="' + H + '"/><text x="' + Math.max(2, x(n) - 30) + '" y="10">' + esc(n.slice(0, Math.max(6, Math.floor(gap / 6.5) || 18))) + '</text>'); });
  evs.forEach(function(r, k){
    var y = 28 + k * 18, a = x(nameOf(r.sourceId)), b = x(nameOf(r.actorId));
    out.push('<line class="msg" x1="' + a + '" y1="' + y + '" x2="' + b + '" y2="' + y + '"/><circle cx="' + b + '" cy="' + y + '" r="2.5" fill="#e0af68"/><text x="' + (Math.min(a, b) + 4) + '" y="' + (y - 3) + '">' + esc(label(r.eventType)) + '</text>');
  });
  var seq = $('seq'); seq.setAttribute('height', H); seq.innerHTML = out.join('');
}
function renderLog(end){
  var f = $('filter').value.trim().toLowerCase(), rows = [];
  for (var i = Math.min(end, records.length - 1); i >= 0 && rows.length < 300; i--) {
    var r = records[i], text;
    if (r.kind === 'event') text = '<span class="ev">' + esc(r.eventType) + '</span> ' + esc(nameOf(r.sourceId)) + ' → ' + esc(nameOf(r.actorId));
    else if (r.kind === 'microstep') text = '<span class="tr">' + esc(nameOf(r.actorId)) + '</span> ' + r.transitions.map(function(t){ return esc(t.source.split('.').pop()) + ' → ' + esc(t.targets.map(function(x){ return x.split('.').pop(); }).join(',')); }).join('; ') + ' <span class="k">on ' + esc(label(r.eventType)) + '</span>';
    else if (r.kind === 'command') text = '<span class="cmd">from page: ' + esc(r.command) + '</span> → ' + esc(nameOf(r.actorId)) + (r.outcome ? ' <span class="k">' + esc(r.outcome) + (r.error ? ': ' + esc(r.error) : '') + '</span>' : '');
    else continue;
    if (f && text.toLowerCase().indexOf(f) < 0) continue;
    rows.push('<div data-seq="' + r.seq + '"><span class="k">' + new Date(r.at).toISOString().slice(11, 23) + '</span> ' + text + '</div>');
  }
  $('log').innerHTML = rows.join('');
}
function render(){
  var end = cursor === null ? records.length - 1 : cursor;
  var w = worldAt(end);
  var now = cursor === null ? Date.now() : (records[end] ? records[end].at : Date.now());
  var tl = $('timeline'); tl.max = String(Math.max(0, records.length - 1)); if (cursor === null) tl.value = tl.max;
  $('when').textContent = cursor === null ? 'live · ' + records.length + ' records' : 'at #' + (end + 1) + ' of ' + records.length + ' · ' + (records[end] ? new Date(records[end].at).toISOString().slice(11, 23) : '');
  renderTree(w); renderSelected(w, now); renderSequence(end); renderLog(end);
}
var pending = false;
function schedule(){ if (pending) return; pending = true; setTimeout(function(){ pending = false; render(); }, 50); }
function select(actorId){
  selected = actorId; $('chart').innerHTML = '';
  var show = function(svg){ if (selected === actorId) { $('chart').innerHTML = svg; render(); } };
  if (charts.has(actorId)) show(charts.get(actorId));
  else fetch(api('/api/chart?actor=' + encodeURIComponent(actorId))).then(function(r){ return r.ok ? r.text() : ''; }).then(function(svg){ charts.set(actorId, svg); show(svg); });
  render();
}
var loading = null;
function loadMachines(){
  if (loading) return loading;
  loading = fetch(api('/api/machines')).then(function(r){ return r.json(); }).then(function(list){
    list.forEach(function(m){ machines.set(m.actorId, m); });
    loading = null;
    if (!selected && list.length) select(list[0].actorId); else schedule();
  }).catch(function(){ loading = null; });
  return loading;
}
function onRecord(r){
  records.push(r);
  var known = actors.get(r.actorId);
  if (known && !known.systemId && r.systemId) known.systemId = r.systemId;
  if (r.kind === 'actor') {
    actors.set(r.actorId, { actorId: r.actorId, parentId: r.parentId, systemId: r.systemId, id: r.id, machineId: r.machineId, rootId: r.rootId });
    if (r.machineId && !machines.has(r.actorId)) loadMachines();
  }
  schedule();
}
function connect(){
  var es = new EventSource(api('/api/stream'));
  es.onopen = function(){ $('conn').textContent = 'live'; };
  es.onerror = function(){ $('conn').textContent = 'disconnected, retrying…'; };
  es.onmessage = function(msg){ onRecord(JSON.parse(msg.data)); };
}
$('tree').addEventListener('click', function(e){ var d = e.target.closest('[data-actor]'); if (d) select(d.getAttribute('data-actor')); });
$('commands').addEventListener('click', function(e){
  var b = e.target.closest('[data-command]'); if (!b || !selected) return;
  fetch(api('/api/command'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ command: b.getAttribute('data-command'), actorId: selected }) });
});
$('timeline').addEventListener('input', function(e){ var v = Number(e.target.value); cursor = v >= records.length - 1 ? null : v; render(); });
$('fit').addEventListener('change', function(e){ fit = e.target.checked; $('chart').classList.toggle('fit', fit); shownKey = ''; render(); });
$('live').addEventListener('click', function(){ cursor = null; render(); });
$('filter').addEventListener('input', function(){ render(); });
// The stream starts with the server's history, so a page opened late still has the past.
connect();
setInterval(function(){ if (cursor === null && selected) schedule(); }, 1000);
</script></body></html>`;
