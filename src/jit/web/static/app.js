/* jit web UI: a single page over the JSON API (/api/...); people act through forms.js.
 *
 * Every piece of user text goes into the page through textContent or an
 * attribute, never through innerHTML; the one exception is the issue
 * description, which the server renders from markdown with raw HTML disabled.
 * Live refresh: /api/version is polled every second and the current view is
 * re-rendered when the stamp changes (a CLI change shows up within ~1 s). While a
 * field has the focus the refresh waits until it loses it; text typed but not
 * sent is carried over into the re-rendered page, so nothing typed is lost.
 */
import { ApiError, api, el, short } from "./dom.js";
import { renderGraph } from "./graph.js";
import { renderBoard, renderEvents, renderIssue } from "./pages.js";

const POLL_MS = 1000;
const filters = { q: "", state: "", label: "", assignee: "", filter: "" };
let lastVersion = null;
let renderSeq = 0;
let pendingRefresh = false;

// ---- filters: the server decides what matches (same rules as `jit issue list/search`) --
function filterQuery(withState) {
  const p = new URLSearchParams();
  if (withState && filters.state) p.set("state", filters.state);
  for (const label of filters.label.split(/[\s,]+/).filter(Boolean)) p.append("label", label);
  if (filters.assignee.trim()) p.set("assignee", filters.assignee.trim());
  if (filters.filter.trim()) p.set("filter", filters.filter.trim()); // the server parses it (jit.domain.filter)
  return p.toString();
}

const filtering = () => Boolean(filters.q || filters.state || filters.label.trim() || filters.assignee.trim()
  || filters.filter.trim());

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

// ---- routing, filters, live refresh ------------------------------------------------
function route() {
  const path = location.hash.replace(/^#/, "").split("?")[0] || "/";
  const parts = path.split("/").filter(Boolean).map((part) => {
    try { return decodeURIComponent(part); } catch (e) { return part; } // a malformed %-escape stays as typed
  });
  if (parts[0] === "issue" && parts[1]) return { name: "issue", id: parts[1] };
  if (parts[0] === "graph") return { name: "graph", id: parts[1] || null };
  if (parts[0] === "events") return { name: "events" };
  return { name: "board" };
}

/* What a field held when it was rendered. */
function initial(field) {
  if (field.tagName !== "SELECT") return field.defaultValue;
  const chosen = [...field.options].find((o) => o.defaultSelected) || field.options[0];
  return chosen ? chosen.value : "";
}

/* Fields of the view whose text differs from what was rendered: [[id, value]]. */
const edited = (view) => [...view.querySelectorAll("input[id], textarea[id], select[id]")]
  .filter((f) => f.value !== initial(f)).map((f) => [f.id, f.value]);

/* A person is typing in the view (a field has the focus): a live refresh waits, so the caret stays put.
 * Text typed but not sent survives any re-render of the same page (see render). */
function typing() {
  const view = document.getElementById("view");
  const active = document.activeElement;
  return Boolean(active && view.contains(active) && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName));
}

async function render(live) {
  if (live && typing()) { pendingRefresh = true; return; }
  pendingRefresh = false;
  const seq = ++renderSeq;
  const r = route();
  const view = document.getElementById("view");
  if (view.dataset.route !== location.hash) {
    view.replaceChildren(el("p", { class: "loading", id: "loading" }, "Loading…"));
    view.setAttribute("aria-busy", "true");
  }
  document.querySelectorAll("nav a").forEach((a) => a.classList.toggle("active", a.dataset.nav === r.name));
  document.getElementById("filters").classList.toggle("off", r.name === "issue" || r.name === "events");
  let content;
  try {
    if (r.name === "issue") content = await renderIssue(r.id);
    else if (r.name === "graph") {
      content = await renderGraph(r.id, filtering() ? new Set((await matchingIssues()).map((i) => i.id)) : null);
    } else if (r.name === "events") content = await renderEvents();
    else content = renderBoard(await matchingIssues(), { state: filters.state, filtered: filtering(), setFilter });
    showError(null);
  } catch (err) {
    if (seq !== renderSeq) return;
    showError(err instanceof ApiError ? err.message : "could not load: " + err);
    // A failed refresh keeps the page it had; a page that failed to open must not show the previous one.
    if (view.dataset.route !== location.hash) { view.replaceChildren(); view.dataset.route = location.hash; }
    view.removeAttribute("aria-busy");
    return;
  }
  if (seq !== renderSeq) return; // a newer render started meanwhile; its answer wins
  // The person began typing while this refresh loaded: replacing the field now would move their
  // caret mid-keystroke (text typed into the old field, the rest into the new). Wait, as above.
  if (live && typing()) { pendingRefresh = true; return; }
  const wrap = view.querySelector(".graph-wrap");
  const opened = [...view.querySelectorAll("details[open][id]")].map((d) => d.id);
  // A re-render of the same page keeps what a person typed and where the cursor was.
  const typed = edited(view);
  const focused = document.activeElement && view.contains(document.activeElement) ? document.activeElement.id : "";
  const keep = { x: window.scrollX, y: window.scrollY, gx: wrap ? wrap.scrollLeft : 0, gy: wrap ? wrap.scrollTop : 0,
    route: view.dataset.route };
  view.replaceChildren(content);
  view.removeAttribute("aria-busy");
  if (keep.route === location.hash) {
    for (const id of opened) { const d = document.getElementById(id); if (d) d.open = true; }
    for (const [id, value] of typed) { const f = document.getElementById(id); if (f) f.value = value; }
    const again = focused && document.getElementById(focused);
    if (again) again.focus();
  }
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

/* The repository's change stamp, or null when the server cannot be reached (shown in the header). */
async function currentVersion() {
  const live = document.getElementById("live");
  try {
    const { version } = await api("/api/version");
    live.className = "live ok";
    live.textContent = "live";
    return version;
  } catch (err) {
    live.className = "live down";
    live.textContent = "offline";
    return null;
  }
}

async function poll() {
  const version = await currentVersion();
  if (version !== null && version !== lastVersion) {
    lastVersion = version;
    await render(true);
  } else if (pendingRefresh) {
    await render(true);
  }
  setTimeout(poll, POLL_MS);
}

// ---- keyboard: j/k move through the board's cards, Enter opens one, c comments, n creates ----
function bindKeys() {
  document.addEventListener("keydown", (ev) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || /^(INPUT|TEXTAREA|SELECT)$/.test(ev.target.tagName)) return;
    const cards = [...document.querySelectorAll("#view .card")];
    const at = cards.findIndex((c) => c.classList.contains("selected"));
    if ((ev.key === "j" || ev.key === "k") && cards.length) {
      const next = cards[Math.min(cards.length - 1, Math.max(0, at + (ev.key === "j" ? 1 : -1)))];
      cards.forEach((c) => c.classList.toggle("selected", c === next));
      next.scrollIntoView({ block: "nearest" });
    } else if (ev.key === "Enter" && at >= 0) {
      location.hash = "#/issue/" + encodeURIComponent(cards[at].dataset.id);
    } else if (ev.key === "c" && document.getElementById("comment-text")) {
      ev.preventDefault();
      document.getElementById("comment-text").focus();
    } else if (ev.key === "n" && document.getElementById("create")) {
      ev.preventDefault();
      document.getElementById("create").open = true;
      document.getElementById("new-title").focus();
    }
  });
}

async function start() {
  bindFilters();
  bindKeys();
  document.addEventListener("jit:changed", () => { showError(null); render(); });
  document.addEventListener("jit:error", (ev) => showError(ev.detail));
  document.getElementById("view").addEventListener("focusout", () => {
    setTimeout(() => { if (pendingRefresh) render(true); }, 0);
  });
  window.addEventListener("hashchange", () => render());
  lastVersion = await currentVersion();
  await render();
  setTimeout(poll, POLL_MS);
}

start();
