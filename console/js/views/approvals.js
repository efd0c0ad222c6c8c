// Approvals: drafts awaiting a person, live; pick one to read the lead and the draft
// side by side, edit, approve, reject or regenerate.

import { api } from "../api.js";
import { emptyState, field, h, mount, notice, select, when } from "../dom.js";
import { live } from "../live.js";
import { draftEditor } from "./draft.js";
import { contactOf } from "./leads.js";

function queue(items, selected) {
  if (!items.length) {
    return emptyState("Nothing is waiting for approval.", "Drafts that need a person appear here by themselves; set a client's auto-send to “off” or “guarded” to review its replies first.");
  }
  return h("ul", { class: "queue" }, items.map((d) =>
    h("li", { "aria-current": d.id === selected ? "true" : null },
      h("a", { href: `#/approvals/${d.id}` }, d.subject || "(no subject)"),
      h("div", { class: "muted" }, `score ${d.score ?? "—"} · ${when(d.created_at)}`))));
}

async function sideBySide(draftId, app, area, done) {
  mount(area, h("p", { class: "muted" }, "Loading the draft…"));
  try {
    const draft = await api.draft(draftId);
    const leadPanel = h("section", { class: "card" }, h("h2", {}, "The lead"), h("p", { class: "muted" }, "Loading…"));
    mount(area, h("div", { class: "grid" }, leadPanel, draftEditor(draft, app, done)));
    api.lead(draft.lead_id).then(
      (lead) => mount(leadPanel, h("h2", {}, "The lead"),
        h("p", {}, h("a", { href: `#/leads/${lead.id}` }, lead.subject || "(no subject)")),
        h("p", {}, contactOf(lead), " · ", when(lead.received_at)),
        h("pre", { class: "mail" }, lead.body_text || "")),
      (error) => mount(leadPanel, h("h2", {}, "The lead"), notice("error", `The lead could not be loaded: ${error.message}`)));
  } catch (error) {
    mount(area, notice("error", error.message));
  }
}

export function show(main, [draftId], app) {
  const clientSelect = select("client_id", [["", "All clients"]], "");
  api.clients().then((cs) => cs.forEach((c) => clientSelect.append(h("option", { value: c.id }, c.name))), () => {});
  const list = h("div", {});
  const area = h("div", {});
  const feed = live({
    load: () => api.drafts({ status: "awaiting_approval", client_id: clientSelect.value, limit: 200 }),
    render: (answer) => mount(list, queue(answer.items, draftId)),
    what: "approvals",
  });
  clientSelect.addEventListener("change", () => feed.refresh());
  mount(main, h("h1", {}, "Approvals"),
    h("div", { class: "split" },
      h("aside", { "aria-label": "Waiting drafts" }, field("Client", clientSelect), feed.element, list),
      area));
  if (draftId) sideBySide(draftId, app, area, () => feed.refresh());
  else mount(area, h("p", { class: "muted" }, "Pick a draft on the left to review it."));
  return feed.stop;
}
