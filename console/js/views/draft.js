// A draft awaiting approval: edit subject and body, then approve, reject (with a
// reason) or regenerate (with instructions). Used by Approvals and by a lead's page.

import { api } from "../api.js";
import { busy, chip, field, h, mount, notice } from "../dom.js";

function facts(draft) {
  const items = [
    ["Score", `${draft.score ?? "—"}${draft.score_reasons?.length ? ` (${draft.score_reasons.join("; ")})` : ""}`],
    ["Guard", draft.guard_verdict],
    ["Why it waits", (draft.reasons || []).join("; ")],
    ["Checks failed", (draft.check_failures || []).join("; ")],
    ["Written by", draft.is_template ? "template" : draft.model],
  ].filter(([, v]) => v);
  return h("dl", { class: "facts" }, items.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
}

/** The editor; `onDecided(draft)` runs after approve / reject / regenerate. */
export function draftEditor(draft, app, onDecided) {
  const subject = h("input", { name: "subject", value: draft.subject, maxlength: 500 });
  const body = h("textarea", { name: "body_text", rows: 14 }, draft.body_text);
  const reason = h("input", { name: "reason", placeholder: "Why not (optional)" });
  const instructions = h("input", { name: "instructions", placeholder: "e.g. shorter, mention the demo" });
  const out = h("div", { class: "out" });
  const waiting = draft.status === "awaiting_approval";
  const form = h("form", { class: "card draft", "aria-label": "Draft" },
    h("h2", {}, "Draft ", chip(draft.status)),
    facts(draft),
    field("Subject", subject),
    field("Reply", body),
    waiting
      ? h("div", { class: "actions" },
          h("button", { type: "submit", class: "primary", value: "approve" }, "Approve and send"))
      : notice("info", `This draft is ${draft.status.replaceAll("_", " ")}${draft.decided_by ? ` (by ${draft.decided_by})` : ""}.`),
    waiting ? h("div", { class: "row decide" },
      h("div", {}, field("Reject", reason), h("button", { type: "submit", class: "danger", value: "reject" }, "Reject")),
      h("div", {}, field("Regenerate", instructions), h("button", { type: "submit", value: "regenerate" }, "Regenerate"))) : null,
    out);
  if (!waiting) [subject, body].forEach((el) => (el.readOnly = true));

  const actions = {
    approve: () => {
      const edits = {};
      if (subject.value !== draft.subject) edits.subject = subject.value;
      if (body.value !== draft.body_text) edits.body_text = body.value;
      return api.approveDraft(draft.id, Object.keys(edits).length ? edits : undefined);
    },
    reject: () => api.rejectDraft(draft.id, reason.value.trim()),
    regenerate: () => api.regenerateDraft(draft.id, instructions.value.trim()),
  };
  const said = { approve: "Approved: the reply is queued to send.", reject: "Draft rejected.", regenerate: "A new draft was written." };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const action = event.submitter?.value || "approve";
    const result = await busy(form, out, actions[action]);
    if (result) {
      app.toast(said[action]);
      mount(out, notice("ok", said[action]));
      onDecided(result, action);
    }
  });
  return form;
}
