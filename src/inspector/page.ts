// The inspector page: one self-contained HTML document (inline CSS and JS, no external requests) so it
// works on a machine with no internet. It draws each machine as nested boxes (compound states contain
// their children), lights the active states, lists the transitions leaving them, and shows a live log.
export const INSPECTOR_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>openclaw-supervisor inspector</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
:root{--bg:#0f1216;--panel:#171b21;--line:#2a313b;--text:#d8dee9;--dim:#7b8696;--on:#3fb68b;--edge:#e0af68;--err:#e06c75}
*{box-sizing:border-box}body{margin:0;font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace;background:var(--bg);color:var(--text)}
header{padding:10px 16px;border-bottom:1px solid var(--line);display:flex;gap:16px;align-items:center}
header b{font-size:14px}#conn{color:var(--dim)}main{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:12px;padding:12px}
.machine{background:var(--panel);border:1px solid var(--line);border-radius:6px;padding:10px;margin-bottom:12px}
.machine h2{margin:0 0 6px;font-size:13px}.machine h2 small{color:var(--dim);font-weight:normal}
.st{border:1px solid var(--line);border-radius:5px;padding:4px 6px;margin:4px;display:inline-block;vertical-align:top;min-width:70px}
.st.compound{display:block}.st>.name{color:var(--dim)}.st.active{border-color:var(--on)}.st.active>.name{color:var(--on);font-weight:bold}
.st.final>.name::after{content:" ◉"}.edges{margin-top:6px;color:var(--dim)}.edges span{display:inline-block;border:1px dashed var(--edge);color:var(--edge);border-radius:10px;padding:0 6px;margin:2px}
.ctx{white-space:pre-wrap;color:var(--dim);max-height:160px;overflow:auto;margin-top:6px;border-top:1px solid var(--line);padding-top:4px}
#log{background:var(--panel);border:1px solid var(--line);border-radius:6px;padding:6px;height:calc(100vh - 90px);overflow:auto}
#log div{border-bottom:1px solid #1f252d;padding:2px 0}#log .k{color:var(--dim)}#log .ev{color:var(--edge)}#log .tr{color:var(--on)}
input{background:var(--bg);color:var(--text);border:1px solid var(--line);border-radius:4px;padding:3px 6px}
</style></head><body>
<header><b>openclaw-supervisor inspector</b><span id="conn">connecting…</span>
<label>filter <input id="filter" placeholder="event type or actor"></label></header>
<main><section id="machines"></section><section><div id="log"></div></section></main>
<script>
const machines = new Map(); // actorId -> {systemId, definition}
const live = new Map();     // actorId -> {value, status, context}
const logEl = document.getElementById('log'), filterEl = document.getElementById('filter');
const records = [];
function activeIds(def, value){
  const ids = new Set([def.id]);
  const walk = (node, v) => {
    if (typeof v === 'string') { const c = node.states.find(s => s.key === v); if (c) { ids.add(c.id); } return; }
    if (v && typeof v === 'object') for (const [k, sub] of Object.entries(v)) {
      const c = node.states.find(s => s.key === k); if (c) { ids.add(c.id); walk(c, sub); }
    }
  };
  walk(def, value); return ids;
}
function esc(s){return String(s).replace(/[&<>]/g, c => ({'&':'&amp;','<':'&lt;','>':'&gt;'}[c]));}
function label(e){return e.replace(/^xstate\\.after\\.([^.]+)\\..*/, 'after $1').replace(/^xstate\\.(done|error)\\.actor\\./, '$1: ');}
function drawState(node, act){
  const cls = ['st', node.states.length ? 'compound' : '', act.has(node.id) ? 'active' : '', node.type === 'final' ? 'final' : ''].join(' ');
  const inv = node.invokes.length ? ' <small>⟳ ' + node.invokes.map(i => esc(i.id)).join(', ') + '</small>' : '';
  return '<div class="' + cls + '" title="' + esc(node.id) + '"><div class="name">' + esc(node.key) + inv + '</div>' + node.states.map(s => drawState(s, act)).join('') + '</div>';
}
function render(){
  const out = [];
  for (const [actorId, m] of machines) {
    const l = live.get(actorId) || {};
    const act = activeIds(m.definition, l.value);
    const edges = [];
    const collect = n => { if (act.has(n.id)) for (const t of n.transitions) edges.push(label(t.event) + (t.guard ? ' [' + t.guard + ']' : '')); n.states.forEach(collect); };
    collect(m.definition);
    out.push('<div class="machine"><h2>' + esc(m.systemId || m.definition.id) + ' <small>' + esc(actorId) + ' · ' + esc(l.status || '?') + '</small></h2>'
      + drawState(m.definition, act)
      + '<div class="edges">can take: ' + [...new Set(edges)].map(e => '<span>' + esc(e) + '</span>').join('') + '</div>'
      + (l.context ? '<div class="ctx">' + esc(JSON.stringify(l.context, null, 1)) + '</div>' : '') + '</div>');
  }
  document.getElementById('machines').innerHTML = out.join('') || '<p>no machines yet</p>';
}
function renderLog(){
  const f = filterEl.value.trim().toLowerCase();
  const rows = [];
  for (let i = records.length - 1; i >= 0 && rows.length < 300; i--) {
    const r = records[i];
    if (r.kind !== 'event' && r.kind !== 'microstep') continue;
    const who = (machines.get(r.actorId) || {}).systemId || r.actorId;
    const text = r.kind === 'event' ? '<span class="ev">' + esc(r.eventType) + '</span> → ' + esc(who)
      : '<span class="tr">' + esc(who) + '</span> ' + r.transitions.map(t => esc(t.source.split('.').pop()) + ' → ' + esc(t.targets.map(x => x.split('.').pop()).join(','))).join('; ') + ' <span class="k">on ' + esc(label(r.eventType)) + '</span>';
    if (f && !(text.toLowerCase().includes(f))) continue;
    rows.push('<div><span class="k">' + new Date(r.at).toISOString().slice(11, 23) + '</span> ' + text + '</div>');
  }
  logEl.innerHTML = rows.join('');
}
async function loadMachines(){
  try { const list = await (await fetch('/api/machines')).json(); for (const m of list) machines.set(m.actorId, m); render(); } catch {}
}
let pending = false;
function schedule(){ if (pending) return; pending = true; requestAnimationFrame(() => { pending = false; render(); renderLog(); }); }
function connect(){
  const es = new EventSource('/api/stream');
  es.onopen = () => { document.getElementById('conn').textContent = 'live'; };
  es.onerror = () => { document.getElementById('conn').textContent = 'disconnected, retrying…'; };
  es.onmessage = (msg) => {
    const r = JSON.parse(msg.data);
    records.push(r); if (records.length > 5000) records.splice(0, 1000);
    if (r.kind === 'actor' && !machines.has(r.actorId)) loadMachines();
    if (r.kind === 'snapshot' || r.kind === 'microstep') live.set(r.actorId, { value: r.value, status: r.status, context: r.context });
    schedule();
  };
}
filterEl.oninput = renderLog;
loadMachines().then(connect);
</script></body></html>`;
