/* Shared by the views: DOM builders that only ever insert text as text, and the API fetchers. */

export const STATES = ["backlog", "ready", "in_progress", "gated", "done", "rejected"];

export function el(tag, attrs, ...children) {
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

export function svg(tag, attrs, ...children) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
  for (const c of children.flat(Infinity)) {
    if (c !== null && c !== undefined) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

export const short = (id) => (id || "").slice(0, 8);
export const issueHref = (id) => "#/issue/" + encodeURIComponent(id);
export const stateName = (s) => s.replace("_", " ");

export function when(ts) {
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

export function stateChip(state) {
  return el("span", { class: "chip state state-" + state }, stateName(state));
}

// ---- API ---------------------------------------------------------------------------
export class ApiError extends Error {}

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

export const api = async (path) => JSON.parse(await fetchOk(path));
export const apiText = fetchOk;

/* A write: the server's token (from <meta name="jit-token">) in X-Jit-Token; same origin by construction.
 * Answers the parsed JSON, or throws an ApiError carrying the envelope's message. */
export async function send(method, path, body) {
  const token = document.querySelector('meta[name="jit-token"]').content;
  const res = await fetch(path, {
    method, cache: "no-store", credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-Jit-Token": token },
    body: JSON.stringify(body || {}),
  });
  const text = await res.text();
  let data = null;
  try { data = JSON.parse(text); } catch (e) { /* not JSON */ }
  if (!res.ok) throw new ApiError((data && data.error && data.error.message) || `${res.status} ${res.statusText}`);
  return data;
}

/* A button that runs `action` once at a time, reports failures in #error, and refreshes the view. */
export function actionButton(label, action, attrs) {
  const button = el("button", { type: "button", class: "act", ...(attrs || {}) }, label);
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      await action();
      // Sent: the fields beside the button are spent (a re-render would otherwise keep them as typed).
      const home = button.closest(".act-row, .form");
      if (home) home.querySelectorAll("input, textarea").forEach((f) => { f.value = f.defaultValue; });
      document.dispatchEvent(new CustomEvent("jit:changed"));
    } catch (err) {
      document.dispatchEvent(new CustomEvent("jit:error", { detail: err instanceof ApiError ? err.message : String(err) }));
    } finally {
      button.disabled = false;
    }
  });
  return button;
}
