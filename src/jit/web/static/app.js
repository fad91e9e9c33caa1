/* jit web UI: a single page over the read-only JSON API (/api/...).
 *
 * Every piece of user text goes into the page through textContent or an
 * attribute, never through innerHTML; the one exception is the issue
 * description, which the server renders from markdown with raw HTML disabled.
 * Live refresh: /api/version is polled every second and the current view is
 * re-rendered when the stamp changes (a CLI change shows up within ~1 s).
 */
"use strict";

const STATES = ["backlog", "ready", "in_progress", "gated", "done", "rejected"];
const POLL_MS = 1000;
const filters = { q: "", state: "", label: "", assignee: "" };
let lastVersion = null;
let renderSeq = 0;

// ---- small DOM helpers ---------------------------------------------------------------
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

function svg(tag, attrs, ...children) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
  for (const c of children.flat(Infinity)) {
    if (c !== null && c !== undefined) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

const short = (id) => (id || "").slice(0, 8);
const issueHref = (id) => "#/issue/" + encodeURIComponent(id);
const stateName = (s) => s.replace("_", " ");

function when(ts) {
  if (!ts) return el("span", {}, "-");
  const secs = (Date.now() - Date.parse(ts)) / 1000;
  let text;
  if (!isFinite(secs)) text = ts;
  else if (secs < 60) text = "just now";
  else if (secs < 3600) text = Math.floor(secs / 60) + " min ago";
  else if (secs < 86400) text = Math.floor(secs / 3600) + " h ago";
  else text = ts.slice(0, 16).replace("T", " ");
  return el("time", { datetime: ts, title: ts }, text);
}

function stateChip(state) {
  return el("span", { class: "chip state state-" + state }, stateName(state));
}

// ---- API ---------------------------------------------------------------------------
class ApiError extends Error {}

/* GET a route; a failure becomes an ApiError carrying the message of the `{"error": ...}` envelope. */
async function fetchOk(path) {
  const res = await fetch(path, { cache: "no-store" });
  const text = await res.text();
  if (!res.ok) {
    let message = `${res.status} ${res.statusText}`;
    try { message = JSON.parse(text).error.message || message; } catch (e) { /* not an envelope */ }
    throw new ApiError(message);
  }
  return text;
}

const api = async (path) => JSON.parse(await fetchOk(path));
const apiText = fetchOk;

function filterQuery(withState) {
  const p = new URLSearchParams();
  if (withState && filters.state) p.set("state", filters.state);
  for (const label of filters.label.split(/[\s,]+/).filter(Boolean)) p.append("label", label);
  if (filters.assignee.trim()) p.set("assignee", filters.assignee.trim());
  return p.toString();
}

const filtering = () => Boolean(filters.q || filters.state || filters.label.trim() || filters.assignee.trim());

/* Issues matching the filters: the server's list (state/label/assignee, same rules as
 * `jit issue list`) intersected with the server's search (same as `jit issue search`). */
async function matchingIssues() {
  const [listed, hits] = await Promise.all([
    api("/api/issues?" + filterQuery(true)),
    filters.q ? api("/api/search?q=" + encodeURIComponent(filters.q)) : null,
  ]);
  if (!hits) return listed;
  const found = new Set(hits.map((i) => i.id));
  return listed.filter((i) => found.has(i.id));
}

// ---- board -------------------------------------------------------------------------
function gateBadges(issue) {
  return (issue.gates_required || []).map((key) => {
    const st = (issue.gates_status || {})[key] || { status: "pending" };
    return el("span", { class: "gate gate-" + st.status, title: `gate ${key}: ${st.status}` }, key);
  });
}

function card(issue) {
  return el("article", { class: "card prio-" + issue.priority, "data-id": issue.id, "data-state": issue.state },
    el("div", { class: "card-top" },
      el("a", { class: "sid", href: issueHref(issue.id) }, short(issue.id)),
      el("span", { class: "chip prio prio-" + issue.priority }, issue.priority)),
    el("a", { class: "title", href: issueHref(issue.id) }, issue.title),
    el("div", { class: "meta" },
      issue.assignee ? el("button", { class: "chip who", type: "button", title: "show only " + issue.assignee,
        onclick: () => setFilter("assignee", issue.assignee) }, issue.assignee) : null,
      (issue.labels || []).map((label) => el("button", { class: "chip label", type: "button",
        title: "show only " + label, onclick: () => setFilter("label", label) }, label))),
    (issue.gates_required || []).length ? el("div", { class: "gates" }, gateBadges(issue)) : null);
}

async function renderBoard() {
  const issues = await matchingIssues();
  const states = filters.state ? [filters.state] : STATES;
  const columns = states.map((state) => {
    const mine = issues.filter((i) => i.state === state);
    return el("section", { class: "column", "data-state": state },
      el("h2", {}, stateChip(state), el("span", { class: "count" }, mine.length)),
      mine.length ? mine.map(card) : el("p", { class: "empty" }, "nothing here"));
  });
  const note = filtering() ? el("p", { class: "hint" }, `${issues.length} issue(s) match the filters`) : null;
  return el("div", { class: "board-page" }, note, el("div", { class: "board", id: "board" }, columns));
}

// ---- issue page --------------------------------------------------------------------
function issueLink(issue, extra) {
  return el("li", { "data-id": issue.id },
    stateChip(issue.state), " ",
    el("a", { href: issueHref(issue.id) }, el("span", { class: "sid" }, short(issue.id)), " ", issue.title),
    extra ? el("span", { class: "muted" }, " ", extra) : null);
}

function gateSection(issue, registry, runs) {
  if (!(issue.gates_required || []).length) return el("p", { class: "muted" }, "No gates required.");
  return issue.gates_required.map((key) => {
    const st = (issue.gates_status || {})[key] || { status: "pending" };
    const def = registry.find((g) => g.key === key) || {};
    const mine = runs.filter((r) => r.gate === key);
    const latest = mine[mine.length - 1];
    return el("div", { class: "gate-box", "data-gate": key },
      el("div", { class: "gate-head" },
        el("span", { class: "gate gate-" + st.status }, st.status), " ",
        el("strong", {}, key), def.title ? el("span", { class: "muted" }, " · " + def.title) : null,
        el("span", { class: "muted" }, ` · ${def.mode || "?"} · ${def.stage || "?"}`)),
      st.by || st.at ? el("div", { class: "muted small" }, "by ", st.by || "-", " ", when(st.at),
        st.reason ? " · reason: " + st.reason : "") : null,
      latest ? el("div", { class: "run" },
        el("div", { class: "small" },
          `latest run: exit ${latest.exit_code}${latest.timed_out ? " (timed out)" : ""} · `
          + `${Number(latest.duration || 0).toFixed(2)} s · `, when(latest.started_at),
          mine.length > 1 ? ` · ${mine.length} runs` : "",
          latest.command ? el("code", { class: "cmd" }, latest.command) : null),
        el("pre", { class: "tail" }, latest.output_tail || "(no output)")) : null);
  });
}

function eventRows(events, withIssue, titles) {
  if (!events.length) return el("p", { class: "muted" }, "No events.");
  const rows = events.slice().reverse().map((e) => el("tr", { "data-type": e.type },
    el("td", { class: "nowrap" }, when(e.ts)),
    el("td", {}, el("span", { class: "etype" }, e.type)),
    withIssue ? el("td", {}, e.issue_id ? el("a", { href: issueHref(e.issue_id), title: titles[e.issue_id] || "" },
      short(e.issue_id), titles[e.issue_id] ? " " + titles[e.issue_id] : "") : "-") : null,
    el("td", { class: "nowrap" }, e.actor || ""),
    el("td", { class: "data" }, summary(e.data || {}))));
  return el("table", { class: "events" }, el("tbody", {}, rows));
}

function summary(data) {
  if ("from" in data && "to" in data && typeof data.from === "string") return `${data.from} → ${data.to}`;
  const text = JSON.stringify(data);
  return text === "{}" ? "" : text.length > 160 ? text.slice(0, 157) + "…" : text;
}

async function renderIssue(id) {
  const enc = encodeURIComponent(id);
  const [issue, view, runs, events, registry, html] = await Promise.all([
    api("/api/issues/" + enc), api("/api/graph/" + enc), api("/api/issues/" + enc + "/runs"),
    api("/api/events?n=0&issue=" + enc), api("/api/gates"), apiText("/ui/issues/" + enc + "/description"),
  ]);
  const description = el("div", { class: "markdown" });
  description.innerHTML = html; // rendered by markdown-it on the server with raw HTML disabled
  const direct = new Set(issue.dependencies);
  const lease = issue.lease ? ` (lease until ${issue.lease.expires_at})` : "";
  const fields = [
    ["id", el("code", {}, issue.id)],
    ["state", stateChip(issue.state)],
    ["priority", el("span", { class: "chip prio prio-" + issue.priority }, issue.priority)],
    ["assignee", (issue.assignee || "-") + lease],
    ["labels", (issue.labels || []).length ? issue.labels.map((l) => el("span", { class: "chip label" }, l)) : "-"],
    ["created", when(issue.created_at)],
    ["updated", when(issue.updated_at)],
  ];
  if (issue.context && Object.keys(issue.context).length) {
    fields.push(["context", el("pre", { class: "ctx" }, JSON.stringify(issue.context, null, 2))]);
  }
  return el("div", { class: "issue-page", "data-id": issue.id },
    el("h1", {}, el("span", { class: "sid" }, short(issue.id)), " ", el("span", { class: "issue-title" }, issue.title)),
    el("div", { class: "issue-grid" },
      el("div", { class: "issue-main" },
        el("section", {}, el("h3", {}, "Description"),
          issue.description ? description : el("p", { class: "muted" }, "No description.")),
        el("section", { id: "gates" }, el("h3", {}, "Gates"), gateSection(issue, registry, runs)),
        el("section", { id: "issue-events" }, el("h3", {}, "Events"), eventRows(events, false, {}))),
      el("aside", { class: "issue-side" },
        el("dl", {}, fields.map(([k, v]) => [el("dt", {}, k), el("dd", {}, v)])),
        el("h3", {}, "Depends on (upstream)"),
        view.upstream.length ? el("ul", { class: "links", id: "upstream" },
          view.upstream.map((u) => issueLink(u, direct.has(u.id) ? "" : "(indirect)")))
          : el("p", { class: "muted" }, "Nothing."),
        el("h3", {}, "Needed by (downstream)"),
        view.downstream.length ? el("ul", { class: "links", id: "downstream" }, view.downstream.map((d) => issueLink(d, d.dependencies.includes(issue.id) ? "" : "(indirect)")))
          : el("p", { class: "muted" }, "Nothing."),
        el("p", {}, el("a", { href: "#/graph/" + encodeURIComponent(issue.id) }, "Graph around this issue →")))));
}

// ---- dependency graph --------------------------------------------------------------
const NODE_W = 210;
const NODE_H = 52;

function clip(text, n) {
  return text.length > n ? text.slice(0, n - 1) + "…" : text;
}

/* A path through dagre's edge points, rounded at the bends (quadratic curves between midpoints). */
function smoothPath(pts) {
  const xy = (p) => `${p.x.toFixed(1)},${p.y.toFixed(1)}`;
  let d = "M" + xy(pts[0]);
  for (let i = 1; i < pts.length - 1; i++) {
    const mid = { x: (pts[i].x + pts[i + 1].x) / 2, y: (pts[i].y + pts[i + 1].y) / 2 };
    d += " Q" + xy(pts[i]) + " " + xy(mid);
  }
  return d + " L" + xy(pts[pts.length - 1]);
}

async function renderGraph(id) {
  let nodes;
  let edges;
  if (id) {
    const view = await api("/api/graph/" + encodeURIComponent(id));
    nodes = [view.issue, ...view.upstream, ...view.downstream];
    edges = view.edges.map(([from, to]) => ({ from, to }));
  } else {
    const data = await api("/api/graph");
    nodes = data.nodes;
    edges = data.edges;
  }
  const matching = filtering() ? new Set((await matchingIssues()).map((i) => i.id)) : null;
  const title = id ? el("h1", {}, "Around ", el("a", { href: issueHref(id) }, short(nodes[0].id)), " ",
    el("span", { class: "issue-title" }, nodes[0].title)) : null;
  const legend = el("div", { class: "legend" }, STATES.map(stateChip),
    el("span", { class: "muted" }, " arrows point from a prerequisite to the issue waiting for it"),
    matching ? el("span", { class: "muted" }, ` · ${matching.size} match the filters, others are faded`) : null);
  if (!nodes.length) return el("div", {}, legend, el("p", { class: "empty" }, "No issues yet."));

  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: "LR", nodesep: 16, ranksep: 56, marginx: 16, marginy: 16 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(n.id, { width: NODE_W, height: NODE_H });
  for (const e of edges) if (g.hasNode(e.from) && g.hasNode(e.to)) g.setEdge(e.to, e.from);
  dagre.layout(g);
  const size = g.graph();

  const picture = svg("svg", { class: "graph", id: "graph", width: size.width, height: size.height,
    viewBox: `0 0 ${size.width} ${size.height}`, role: "img", "aria-label": "dependency graph" },
  svg("defs", {}, svg("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7,
    markerHeight: 7, orient: "auto-start-reverse" }, svg("path", { d: "M0,0 L10,5 L0,10 z", class: "arrowhead" }))));
  for (const e of g.edges()) {
    const pts = g.edge(e).points;
    const d = smoothPath(pts);
    const faded = matching && !(matching.has(e.v) && matching.has(e.w));
    picture.append(svg("path", { class: "edge" + (faded ? " dim" : ""), d, "marker-end": "url(#arrow)",
      "data-from": e.v, "data-to": e.w }));
  }
  for (const n of nodes) {
    const box = g.node(n.id);
    const faded = matching && !matching.has(n.id);
    const node = svg("g", { class: `node state-${n.state}${n.id === id ? " focus" : ""}${faded ? " dim" : ""}`,
      "data-id": n.id, "data-state": n.state, transform: `translate(${box.x - NODE_W / 2},${box.y - NODE_H / 2})`,
      tabindex: 0, role: "link" },
    svg("title", {}, `${n.title}\n${n.id}\n${n.state}${n.assignee ? " · " + n.assignee : ""}`),
    svg("rect", { width: NODE_W, height: NODE_H, rx: 7, ry: 7 }),
    svg("text", { x: 10, y: 19, class: "nid" }, short(n.id) + "  " + stateName(n.state)
      + (n.priority !== "normal" ? "  " + n.priority : "")),
    svg("text", { x: 10, y: 38, class: "ntitle" }, clip(n.title, 30)));
    const go = () => { location.hash = issueHref(n.id); };
    node.addEventListener("click", go);
    node.addEventListener("keydown", (ev) => { if (ev.key === "Enter") go(); });
    picture.append(node);
  }
  return el("div", { class: "graph-page" }, title, legend, el("div", { class: "graph-wrap" }, picture));
}

// ---- events feed -------------------------------------------------------------------
async function renderEvents() {
  const [events, issues] = await Promise.all([api("/api/events?n=200"), api("/api/issues")]);
  const titles = Object.fromEntries(issues.map((i) => [i.id, i.title]));
  return el("div", { class: "events-page" }, el("h1", {}, "Events ", el("span", { class: "muted" }, "(latest 200, newest first)")),
    eventRows(events, true, titles));
}

// ---- routing, filters, live refresh ------------------------------------------------
function route() {
  const path = location.hash.replace(/^#/, "").split("?")[0] || "/";
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  if (parts[0] === "issue" && parts[1]) return { name: "issue", id: parts[1] };
  if (parts[0] === "graph") return { name: "graph", id: parts[1] || null };
  if (parts[0] === "events") return { name: "events" };
  return { name: "board" };
}

async function render() {
  const seq = ++renderSeq;
  const r = route();
  document.querySelectorAll("nav a").forEach((a) => a.classList.toggle("active", a.dataset.nav === r.name));
  document.getElementById("filters").classList.toggle("off", r.name === "issue" || r.name === "events");
  let content;
  try {
    if (r.name === "issue") content = await renderIssue(r.id);
    else if (r.name === "graph") content = await renderGraph(r.id);
    else if (r.name === "events") content = await renderEvents();
    else content = await renderBoard();
    showError(null);
  } catch (err) {
    if (seq !== renderSeq) return;
    showError(err instanceof ApiError ? err.message : "could not load: " + err);
    // A failed refresh keeps the page it had; a page that failed to open must not show the previous one.
    const view = document.getElementById("view");
    if (view.dataset.route !== location.hash) { view.replaceChildren(); view.dataset.route = location.hash; }
    return;
  }
  if (seq !== renderSeq) return; // a newer render started meanwhile; its answer wins
  const view = document.getElementById("view");
  const wrap = view.querySelector(".graph-wrap");
  const keep = { x: window.scrollX, y: window.scrollY, gx: wrap ? wrap.scrollLeft : 0, gy: wrap ? wrap.scrollTop : 0,
    route: view.dataset.route };
  view.replaceChildren(content);
  view.dataset.route = location.hash;
  document.title = r.name === "issue" ? `${short(r.id)} · jit` : `jit · ${r.name}`;
  if (keep.route === location.hash) {
    window.scrollTo(keep.x, keep.y);
    const nwrap = view.querySelector(".graph-wrap");
    if (nwrap) { nwrap.scrollLeft = keep.gx; nwrap.scrollTop = keep.gy; }
  }
  document.body.dataset.renders = String(seq);
}

function showError(message) {
  const box = document.getElementById("error");
  box.hidden = !message;
  box.textContent = message || "";
}

function setFilter(name, value) {
  filters[name] = value;
  const input = document.getElementById("f-" + name);
  if (input) input.value = value;
  if (route().name !== "board" && route().name !== "graph") location.hash = "#/";
  else render();
}

function bindFilters() {
  const initial = new URLSearchParams(location.hash.split("?")[1] || "");
  for (const name of Object.keys(filters)) {
    const input = document.getElementById("f-" + name);
    filters[name] = initial.get(name) || "";
    input.value = filters[name];
    let timer = null;
    const apply = () => { filters[name] = input.value; render(); };
    input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(apply, 200); });
    input.addEventListener("change", apply);
  }
  document.getElementById("filters").addEventListener("submit", (ev) => ev.preventDefault());
  document.getElementById("f-clear").addEventListener("click", () => {
    for (const name of Object.keys(filters)) {
      filters[name] = "";
      document.getElementById("f-" + name).value = "";
    }
    render();
  });
}

async function poll() {
  const live = document.getElementById("live");
  try {
    const { version } = await api("/api/version");
    live.className = "live ok";
    live.textContent = "live";
    if (version !== lastVersion) {
      lastVersion = version;
      await render();
    }
  } catch (err) {
    live.className = "live down";
    live.textContent = "offline";
  }
  setTimeout(poll, POLL_MS);
}

async function start() {
  bindFilters();
  window.addEventListener("hashchange", () => render());
  try { lastVersion = (await api("/api/version")).version; } catch (err) { lastVersion = null; }
  await render();
  setTimeout(poll, POLL_MS);
}

start();
