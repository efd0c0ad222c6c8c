// Slack notices: what was sent, coalesced into a digest, failed or skipped, and why.

import { api } from "../api.js";
import { chip, emptyState, field, h, mount, select, when } from "../dom.js";
import { live } from "../live.js";

const STATUSES = ["queued", "sent", "coalesced", "failed", "skipped"];

export function show(main) {
  const status = select("status", [["", "Any status"], ...STATUSES.map((s) => [s, s])], "");
  const list = h("div", {});
  const feed = live({
    load: () => api.notifications({ status: status.value }),
    render: ({ items }) => mount(list, items.length
      ? h("table", { class: "list" },
          h("thead", {}, h("tr", {}, ["Notice", "Event", "Status", "When"].map((t) => h("th", { scope: "col" }, t)))),
          h("tbody", {}, items.map((n) => h("tr", {},
            h("td", { "data-label": "Notice" }, n.lead_id ? h("a", { href: `#/leads/${n.lead_id}` }, n.headline || "(digest)") : n.headline || "—"),
            h("td", { "data-label": "Event" }, n.event_type),
            h("td", { "data-label": "Status" }, chip(n.status), n.reason ? h("div", { class: "muted" }, n.reason) : null),
            h("td", { "data-label": "When" }, when(n.delivered_at || n.created_at))))))
      : emptyState("No Slack notices yet.", "Set a client's Slack webhook (Clients → a client → Slack); notices appear here as leads arrive.")),
    what: "notices",
  });
  status.addEventListener("change", () => feed.refresh());
  mount(main, h("h1", {}, "Slack notices"), h("div", { class: "filters" }, field("Status", status)), feed.element, list);
  return feed.stop;
}
