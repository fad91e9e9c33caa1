/* The board, the issue page and the events feed: each fetches what it shows and returns a new element. */

import { STATES, api, apiText, el, issueHref, short, stateChip, when } from "./dom.js";
import { commentForm, createForm, editForm, gateControls, issueActions } from "./forms.js";

// ---- board -------------------------------------------------------------------------
function gateBadges(issue) {
  return (issue.gates_required || []).map((key) => {
    const st = (issue.gates_status || {})[key] || { status: "pending" };
    return el("span", { class: "gate gate-" + st.status, title: `gate ${key}: ${st.status}` }, key);
  });
}

function card(issue, setFilter) {
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

export function renderBoard(issues, { state, filtered, setFilter }) {
  const states = state ? [state] : STATES;
  const columns = states.map((state) => {
    const mine = issues.filter((i) => i.state === state);
    return el("section", { class: "column", "data-state": state },
      el("h2", {}, stateChip(state), el("span", { class: "count" }, mine.length)),
      mine.length ? mine.map((i) => card(i, setFilter)) : el("p", { class: "empty" }, "nothing here"));
  });
  const note = filtered ? el("p", { class: "hint" }, `${issues.length} issue(s) match the filters`) : null;
  return el("div", { class: "board-page" }, createForm(), note, el("div", { class: "board", id: "board" }, columns));
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
        el("pre", { class: "tail" }, latest.output_tail || "(no output)")) : null,
      ["done", "rejected"].includes(issue.state) ? null : gateControls(issue, key, def));
  });
}

/* One row per event: the same one-line summary as `jit events tail` (from the server), the full
 * data one click away. */
function eventRows(events, withIssue, titles) {
  if (!events.length) return el("p", { class: "muted" }, "No events.");
  const rows = events.slice().reverse().map((e) => el("tr", { "data-type": e.type },
    el("td", { class: "nowrap" }, when(e.ts)),
    el("td", {}, el("span", { class: "etype" }, e.type)),
    withIssue ? el("td", {}, e.issue_id ? el("a", { href: issueHref(e.issue_id), title: titles[e.issue_id] || "" },
      short(e.issue_id), titles[e.issue_id] ? " " + titles[e.issue_id] : "") : "-") : null,
    el("td", { class: "nowrap" }, e.actor || ""),
    el("td", { class: "what" }, el("span", { class: "summary" }, e.summary || ""),
      Object.keys(e.data || {}).length ? el("details", { class: "data" }, el("summary", {}, "data"),
        el("pre", {}, JSON.stringify(e.data, null, 2))) : null)));
  return el("table", { class: "events" }, el("tbody", {}, rows));
}

function comments(issue) {
  const list = (issue.comments || []).map((c) => el("li", { class: "comment" },
    el("div", { class: "muted small" }, el("strong", {}, c.by || "?"), " ", when(c.at)),
    el("div", { class: "comment-text" }, c.text)));
  return el("section", { id: "comments" }, el("h3", {}, `Comments (${list.length})`),
    list.length ? el("ul", { class: "comments" }, list) : el("p", { class: "muted" }, "No comments yet."),
    commentForm(issue));
}

function familySection(issue, family) {
  const kids = family.children || [];
  const parts = [];
  if (issue.parent) {
    parts.push(el("p", {}, "Part of ", el("a", { id: "parent-link", href: issueHref(issue.parent) }, short(issue.parent))));
  }
  if (kids.length) {
    const { done, total } = family.progress;
    parts.push(el("div", { id: "progress", class: "progress-line" },
      el("progress", { max: total || 1, value: done }), el("span", { class: "small" }, ` ${done} of ${total} done`)));
    parts.push(el("ul", { class: "links", id: "children" }, kids.map((k) => issueLink(k))));
  }
  return parts.length ? el("div", { class: "family" }, el("h3", {}, "Parent and children"), parts) : null;
}

export async function renderIssue(id) {
  const enc = encodeURIComponent(id);
  const [issue, view, runs, events, registry, html, family] = await Promise.all([
    api("/api/issues/" + enc), api("/api/graph/" + enc), api("/api/issues/" + enc + "/runs"),
    api("/api/events?summaries=1&n=0&issue=" + enc), api("/api/gates"), apiText("/ui/issues/" + enc + "/description"),
    api("/api/issues/" + enc + "/children"),
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
  if (issue.resolution && issue.resolution.text) {
    fields.push([issue.resolution.kind === "rejected" ? "reason" : "summary",
      el("span", { id: "resolution" }, issue.resolution.text)]);
  }
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
        comments(issue),
        el("section", { id: "issue-events" }, el("h3", {}, "Events"), eventRows(events, false, {}))),
      el("aside", { class: "issue-side" },
        issueActions(issue),
        editForm(issue),
        el("dl", {}, fields.map(([k, v]) => [el("dt", {}, k), el("dd", {}, v)])),
        familySection(issue, family),
        el("h3", {}, "Depends on (upstream)"),
        view.upstream.length ? el("ul", { class: "links", id: "upstream" },
          view.upstream.map((u) => issueLink(u, direct.has(u.id) ? "" : "(indirect)")))
          : el("p", { class: "muted" }, "Nothing."),
        el("h3", {}, "Needed by (downstream)"),
        view.downstream.length ? el("ul", { class: "links", id: "downstream" }, view.downstream.map((d) => issueLink(d, d.dependencies.includes(issue.id) ? "" : "(indirect)")))
          : el("p", { class: "muted" }, "Nothing."),
        el("p", {}, el("a", { href: "#/graph/" + encodeURIComponent(issue.id) }, "Graph around this issue →")))));
}

// ---- events feed -------------------------------------------------------------------
export async function renderEvents() {
  const [events, issues] = await Promise.all([api("/api/events?summaries=1&n=200"), api("/api/issues")]);
  const titles = Object.fromEntries(issues.map((i) => [i.id, i.title]));
  return el("div", { class: "events-page" }, el("h1", {}, "Events ", el("span", { class: "muted" }, "(latest 200, newest first)")),
    eventRows(events, true, titles));
}
