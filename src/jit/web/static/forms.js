/* What a person does on the page: create, edit, claim, release, reject, done, reopen, comment,
 * pass or fail a gate, run a check. Every control calls one write route (/api, see docs/web.md);
 * the server applies the CLI's rules, and its refusal is shown as the CLI's message. */

import { actionButton, el, send } from "./dom.js";

const base = (issue) => "/api/issues/" + encodeURIComponent(issue.id);
const TERMINAL = ["done", "rejected"];

function field(label, control) {
  return el("label", { class: "field" }, el("span", { class: "field-name" }, label), control);
}

function text(id, value, placeholder) {
  return el("input", { id, value: value || "", placeholder: placeholder || "", autocomplete: "off" });
}

function priorities(id, current) {
  return el("select", { id }, ["critical", "high", "normal", "low"].map((p) =>
    el("option", { value: p, selected: p === current }, p)));
}

const labelList = (raw) => raw.split(/[\s,]+/).filter(Boolean);

// ---- the issue page's action bar ------------------------------------------------------
export function issueActions(issue) {
  const url = base(issue);
  const open = !TERMINAL.includes(issue.state);
  const summary = text("act-summary", "", "summary of the work (optional)");
  const reason = text("act-reason", "", open ? "why reject it? (optional)" : "why reopen it? (optional)");
  const rows = [];
  if (issue.state === "ready") {
    rows.push(el("div", { class: "act-row" },
      actionButton("Claim as me", () => send("POST", url + "/claim"), { id: "act-claim" })));
  }
  if (issue.state === "in_progress") {
    rows.push(el("div", { class: "act-row" },
      actionButton("Release", () => send("POST", url + "/release"), { id: "act-release" })));
  }
  if (open) {
    rows.push(el("div", { class: "act-row" }, summary,
      actionButton("Done", () => send("POST", url + "/done", { summary: summary.value.trim() || null }),
        { id: "act-done", class: "act primary" })));
    rows.push(el("div", { class: "act-row" }, reason,
      actionButton("Reject", () => send("POST", url + "/reject", { reason: reason.value.trim() || null }),
        { id: "act-reject", class: "act danger" })));
  } else {
    rows.push(el("div", { class: "act-row" }, reason,
      actionButton("Reopen", () => send("POST", url + "/reopen", { reason: reason.value.trim() || null }),
        { id: "act-reopen" })));
  }
  return el("section", { id: "actions", class: "actions" }, el("h3", {}, "Act"), rows);
}

// ---- gates: a person's verdict, or an automated check ---------------------------------
export function gateControls(issue, key, def) {
  const url = base(issue) + "/gates/" + encodeURIComponent(key);
  const reason = text("gate-reason-" + key, "", "what is missing?");
  const controls = [
    actionButton("Pass", () => send("POST", url + "/pass"), { class: "act primary", "data-act": "pass" }),
    reason,
    actionButton("Fail", () => send("POST", url + "/fail", { reason: reason.value.trim() || null }),
      { class: "act danger", "data-act": "fail" }),
  ];
  if (def.mode === "auto") {
    controls.unshift(actionButton("Run check", () => send("POST", url + "/check", { force: true }),
      { class: "act", "data-act": "check" }));
  }
  return el("div", { class: "gate-controls act-row" }, controls);
}

// ---- edit ---------------------------------------------------------------------------
export function editForm(issue) {
  const title = text("edit-title", issue.title);
  const description = el("textarea", { id: "edit-description", rows: 6 }, issue.description || "");
  const priority = priorities("edit-priority", issue.priority);
  const labels = text("edit-labels", (issue.labels || []).join(", "), "type:task, epic:auth");
  const parent = text("edit-parent", issue.parent || "", "parent id (empty: none)");
  const save = actionButton("Save", () => {
    const changes = {};
    if (title.value !== issue.title) changes.title = title.value;
    if (description.value !== (issue.description || "")) changes.description = description.value;
    if (priority.value !== issue.priority) changes.priority = priority.value;
    const wanted = labelList(labels.value);
    if (wanted.join(",") !== (issue.labels || []).join(",")) changes.labels = wanted;
    if (parent.value.trim() !== (issue.parent || "")) changes.parent = parent.value.trim();
    return send("PATCH", base(issue), changes);
  }, { id: "edit-save", class: "act primary" });
  return el("details", { class: "edit", id: "edit" }, el("summary", {}, "Edit"),
    el("div", { class: "form" }, field("title", title), field("description", description),
      field("priority", priority), field("labels", labels), field("parent", parent), save));
}

// ---- comments -----------------------------------------------------------------------
export function commentForm(issue) {
  const box = el("textarea", { id: "comment-text", rows: 3, placeholder: "Add a comment (press c to jump here)" });
  const post = actionButton("Comment", async () => {
    await send("POST", base(issue) + "/comments", { text: box.value });
    box.value = "";
  }, { id: "act-comment", class: "act primary" });
  return el("div", { class: "form comment-form" }, box, post);
}

// ---- create -------------------------------------------------------------------------
export function createForm() {
  const title = text("new-title", "", "What needs doing?");
  const priority = priorities("new-priority", "normal");
  const labels = text("new-labels", "", "labels, e.g. type:task");
  const description = el("textarea", { id: "new-description", rows: 3, placeholder: "description (markdown)" });
  const create = actionButton("Create", async () => {
    const made = await send("POST", "/api/issues", {
      title: title.value, priority: priority.value, labels: labelList(labels.value),
      description: description.value,
    });
    location.hash = "#/issue/" + encodeURIComponent(made.id);
  }, { id: "new-create", class: "act primary" });
  return el("details", { class: "create", id: "create" }, el("summary", {}, "New issue"),
    el("div", { class: "form" }, field("title", title), field("priority", priority), field("labels", labels),
      field("description", description), create));
}
