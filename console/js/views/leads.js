// Leads: a live list with filters (client, status, mailbox, search), status chips,
// score, and "Load older" through the API's cursor.

import { api } from "../api.js";
import { chip, emptyState, field, h, mount, select, when } from "../dom.js";
import { live } from "../live.js";

const STATUSES = ["new", "flagged", "awaiting_approval", "drafted", "replied", "lead_replied", "answered_by_person", "closed"];

export function contactOf(lead) {
  const c = lead.contact || {};
  const email = c.email || lead.contact_email || lead.from_address || "";
  const name = c.name || lead.contact_name || "";
  return name ? `${name} <${email}>` : email || "unknown sender";
}

function row(lead, clientNames) {
  return h("tr", { dataset: { lead: lead.id } },
    h("td", { "data-label": "Lead" }, h("a", { href: `#/leads/${lead.id}` }, lead.subject || "(no subject)"), h("div", { class: "muted" }, contactOf(lead))),
    h("td", { "data-label": "Client" }, clientNames.get(lead.client_id) || "—"),
    h("td", { "data-label": "Status" }, chip(lead.status)),
    h("td", { "data-label": "Score" }, lead.score ?? "—"),
    h("td", { "data-label": "Received" }, when(lead.received_at || lead.created_at)));
}

function table(items, clientNames, filtered) {
  if (!items.length) {
    return filtered
      ? emptyState("No lead matches these filters.", "Clear the search or pick another status or client.")
      : emptyState("No leads yet.", "Connect a client's mailbox (Clients → a client → Connect Gmail / Outlook) or publish its lead form; new leads appear here by themselves.");
  }
  return h("table", { class: "list" },
    h("thead", {}, h("tr", {}, ["Lead", "Client", "Status", "Score", "Received"].map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, items.map((l) => row(l, clientNames))));
}

export function show(main) {
  const filters = { client_id: "", status: "", mailbox_id: "", q: "" };
  const clientSelect = select("client_id", [["", "All clients"]], "");
  const statusSelect = select("status", [["", "Any status"], ...STATUSES.map((s) => [s, s.replaceAll("_", " ")])], "");
  const search = h("input", { type: "search", name: "q", placeholder: "Subject, sender, text…" });
  const list = h("div", {});
  const more = h("div", { class: "more" });
  let clientNames = new Map();
  let older = [];

  api.clients().then((clients) => {
    clientNames = new Map(clients.map((c) => [c.id, c.name]));
    clients.forEach((c) => clientSelect.append(h("option", { value: c.id }, c.name)));
  }, () => {});

  function moreButton(cursor) {
    if (!cursor) return mount(more);
    const button = h("button", { type: "button" }, "Load older leads");
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        const next = await api.leads(filters, cursor);
        older = older.concat(next.items);
        list.querySelector("tbody")?.append(...next.items.map((l) => row(l, clientNames)));
        moreButton(next.next_cursor);
      } catch (error) {
        mount(more, h("p", { class: "notice error", role: "alert" }, error.message));
      }
    });
    mount(more, button);
  }

  const feed = live({
    load: () => api.leads(filters),
    render: (answer) => {
      const seen = new Set(answer.items.map((l) => l.id));
      const items = answer.items.concat(older.filter((l) => !seen.has(l.id)));
      mount(list, table(items, clientNames, Object.values(filters).some(Boolean)));
      if (!older.length) moreButton(answer.next_cursor);
    },
    what: "leads",
  });

  let typing = null;
  function apply() {
    Object.assign(filters, { client_id: clientSelect.value, status: statusSelect.value, q: search.value.trim() });
    older = [];
    feed.refresh();
  }
  clientSelect.addEventListener("change", apply);
  statusSelect.addEventListener("change", apply);
  search.addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(apply, 350);
  });

  const bar = h("form", { class: "filters", role: "search", onsubmit: (e) => (e.preventDefault(), apply()) },
    field("Client", clientSelect), field("Status", statusSelect), field("Search", search));
  mount(main, h("h1", {}, "Leads"), bar, feed.element, list, more);
  return feed.stop;
}
