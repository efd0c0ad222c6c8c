// Outbound mail: what was sent, what is queued, what failed and why; retry a failure.

import { api } from "../api.js";
import { busy, chip, emptyState, field, h, mount, select, when } from "../dom.js";
import { live } from "../live.js";

const STATUSES = ["queued", "sending", "sent", "failed", "cancelled"];
const recipients = (o) => (o.to_addresses || o.to || []).map((a) => (typeof a === "string" ? a : a.email || a.address)).join(", ");

function row(o, app, out, refresh) {
  let retry = null;
  if (o.status === "failed") {
    retry = h("button", { type: "button" }, "Retry");
    retry.addEventListener("click", async () => {
      const done = await busy(retry.parentElement, out, () => api.retryOutbound(o.id));
      if (done) app.toast("Queued to send again.");
      refresh();
    });
  }
  return h("tr", {},
    h("td", { "data-label": "To" }, recipients(o) || "—"),
    h("td", { "data-label": "Subject" }, o.lead_id ? h("a", { href: `#/leads/${o.lead_id}` }, o.subject) : o.subject),
    h("td", { "data-label": "Kind" }, (o.kind || "").replaceAll("_", " ")),
    h("td", { "data-label": "Status" }, chip(o.status), o.last_error ? h("div", { class: "error-text" }, `${o.error_code ? `${o.error_code}: ` : ""}${o.last_error}`) : null),
    h("td", { "data-label": "When" }, when(o.sent_at || o.due_at || o.created_at)),
    h("td", { "data-label": "" }, retry));
}

export function show(main, _params, app) {
  const status = select("status", [["", "Any status"], ...STATUSES.map((s) => [s, s])], "");
  const list = h("div", {});
  const out = h("div", { class: "out" });
  const feed = live({
    load: () => api.outbound({ status: status.value }),
    render: ({ items }) => mount(list, items.length
      ? h("table", { class: "list" },
          h("thead", {}, h("tr", {}, ["To", "Subject", "Kind", "Status", "When", ""].map((t) => h("th", { scope: "col" }, t)))),
          h("tbody", {}, items.map((o) => row(o, app, out, () => feed.refresh()))))
      : emptyState("No outbound mail here.", status.value ? "Pick another status." : "Approved replies, follow-ups and bulk sends appear here once queued.")),
    what: "outbound mail",
  });
  status.addEventListener("change", () => feed.refresh());
  mount(main, h("h1", {}, "Outbound"), h("div", { class: "filters" }, field("Status", status)), out, feed.element, list);
  return feed.stop;
}
