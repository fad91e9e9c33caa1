/* The dependency graph: dagre (vendor/dagre.min.js, a global script) computes a layered
 * left-to-right layout; this draws it as SVG, one node per issue coloured by state.
 * `matching` (a Set of ids, or null) fades the issues that the filters leave out. */

import { STATES, api, el, issueHref, short, stateChip, stateName, svg } from "./dom.js";

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

export async function renderGraph(id, matching) {
  let nodes;
  let edges;
  let focus = null;
  if (id) {
    const view = await api("/api/graph/" + encodeURIComponent(id));
    focus = view.issue.id; // `id` may be a short prefix
    nodes = [view.issue, ...view.upstream, ...view.downstream];
    edges = view.edges.map(([from, to]) => ({ from, to }));
  } else {
    const data = await api("/api/graph");
    nodes = data.nodes;
    edges = data.edges;
  }
  const title = focus ? el("h1", {}, "Around ", el("a", { href: issueHref(focus) }, short(nodes[0].id)), " ",
    el("span", { class: "issue-title" }, nodes[0].title)) : null;
  const legend = el("div", { class: "legend" }, STATES.map(stateChip),
    el("span", { class: "muted" }, " arrows point from a prerequisite to the issue waiting for it"),
    matching ? el("span", { class: "muted" }, ` · ${matching.size} match the filters, others are faded`) : null);
  if (!nodes.length) return el("div", {}, legend, el("p", { class: "empty" }, "No issues yet."));

  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: "LR", nodesep: 16, ranksep: 56, marginx: 16, marginy: 16 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(n.id, { width: NODE_W, height: NODE_H });
  // Every edge jit gives points from the prerequisite to the issue waiting for it.
  for (const e of edges) if (g.hasNode(e.from) && g.hasNode(e.to)) g.setEdge(e.from, e.to);
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
    const node = svg("g", { class: `node state-${n.state}${n.id === focus ? " focus" : ""}${faded ? " dim" : ""}`,
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
