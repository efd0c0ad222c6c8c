// One lead: who sent it, what they wrote, its draft awaiting approval (edit and
// approve here), and its live timeline: every email in and out, drafts, decisions,
// filtering reasons and Slack notices.

import { api } from "../api.js";
import { busy, chip, emptyState, h, mount, notice, when } from "../dom.js";
import { live } from "../live.js";
import { draftEditor } from "./draft.js";
import { contactOf } from "./leads.js";

const DETAIL_KEYS = ["subject", "from", "to", "decision", "code", "reason", "reasons", "error", "headline", "origin"];

function entry(item) {
  const detail = item.detail || {};
  const lines = DETAIL_KEYS.filter((k) => detail[k] && String(detail[k]).length)
    .map((k) => h("div", {}, h("span", { class: "muted" }, `${k}: `), Array.isArray(detail[k]) ? detail[k].join("; ") : String(detail[k])));
  const text = detail.body_text || detail.excerpt || detail.snippet;
  return h("li", { class: "event", dataset: { kind: item.kind } },
    h("div", { class: "event-head" }, chip(item.kind), " ", h("time", { datetime: item.occurred_at }, when(item.occurred_at))),
    h("p", {}, item.summary || ""),
    lines,
    text ? h("pre", { class: "mail" }, text) : null);
}

function timeline(lead) {
  const items = lead.timeline || lead.activities || [];
  if (!items.length) return emptyState("Nothing on the timeline yet.", "Drafts, replies and notices appear here as they happen.");
  return h("ol", { class: "timeline" }, [...items].sort((a, b) => new Date(a.occurred_at) - new Date(b.occurred_at)).map(entry));
}

function header(lead, app, reload) {
  const closed = lead.status === "closed";
  const toggle = h("button", { type: "button" }, closed ? "Reopen lead" : "Close lead");
  const out = h("div", { class: "out" });
  toggle.addEventListener("click", async () => {
    const done = await busy(toggle.parentElement, out, () => api.closeLead(lead.id, !closed));
    if (done) app.toast(closed ? "Lead reopened." : "Lead closed: follow-ups stop.");
    reload();
  });
  return h("section", { class: "card" },
    h("h1", {}, lead.subject || "(no subject)", " ", chip(lead.status)),
    h("p", {}, h("strong", {}, contactOf(lead)), ` · ${lead.source || "email"} · received ${when(lead.received_at || lead.created_at)}`),
    lead.score != null ? h("p", {}, `Score ${lead.score}`) : null,
    lead.body_text ? h("pre", { class: "mail" }, lead.body_text) : null,
    h("div", { class: "actions" }, toggle), out);
}

async function pendingDraft(lead) {
  const answer = await api.drafts({ status: "awaiting_approval", client_id: lead.client_id, limit: 200 });
  return answer.items.find((d) => d.lead_id === lead.id) || null;
}

export function show(main, [leadId], app) {
  const head = h("div", {});
  const draftArea = h("div", {});
  const events = h("div", {});
  let draftShown = null;

  async function showDraft(lead) {
    try {
      const draft = await pendingDraft(lead);
      if ((draft?.id ?? null) === draftShown) return; // keep what the person is typing
      draftShown = draft?.id ?? null;
      mount(draftArea, draft ? draftEditor(draft, app, () => feed.refresh()) : null);
    } catch (error) {
      mount(draftArea, notice("error", `Drafts could not be loaded: ${error.message}`));
    }
  }

  const feed = live({
    load: () => api.lead(leadId),
    render: (lead) => {
      mount(head, header(lead, app, () => feed.refresh()));
      mount(events, timeline(lead));
      showDraft(lead);
    },
    what: "lead",
  });
  mount(main, h("p", { class: "crumbs" }, h("a", { href: "#/leads" }, "Leads")), feed.element, head,
    h("div", { class: "grid" }, draftArea, h("section", { class: "card", "aria-labelledby": "tl" }, h("h2", { id: "tl" }, "Timeline"), events)));
  return feed.stop;
}
