// Usage: LLM requests, tokens, cost and drafts per client for a month.

import { api } from "../api.js";
import { emptyState, field, h, mount, notice } from "../dom.js";

export function show(main) {
  const month = h("input", { type: "month", name: "month", value: new Date().toISOString().slice(0, 7) });
  const area = h("div", {});
  let names = new Map();
  async function load() {
    mount(area, h("p", { class: "muted" }, "Loading…"));
    try {
      const [rows, clients] = await Promise.all([api.usage({ month: month.value }), api.clients().catch(() => [])]);
      names = new Map(clients.map((c) => [c.id, c.name]));
      if (!rows.length) {
        mount(area, emptyState(`No drafting in ${month.value}.`, "Usage appears once the drafter writes replies for a client's leads."));
        return;
      }
      const cols = [["Client", (r) => names.get(r.client_id) || r.client_id], ["Drafts", (r) => r.drafts], ["From templates", (r) => r.template_drafts],
        ["Flagged", (r) => r.flagged], ["LLM requests", (r) => `${r.requests} (${r.failed_requests} failed)`],
        ["Prompt tokens", (r) => r.prompt_tokens], ["Completion tokens", (r) => r.completion_tokens], ["Cost (USD)", (r) => Number(r.cost_usd).toFixed(4)]];
      mount(area, h("table", { class: "list" },
        h("thead", {}, h("tr", {}, cols.map(([t]) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, rows.map((r) => h("tr", {}, cols.map(([t, f]) => h("td", { "data-label": t }, String(f(r)))))))));
    } catch (error) {
      mount(area, notice("error", error.message));
    }
  }
  month.addEventListener("change", load);
  mount(main, h("h1", {}, "Usage"), h("div", { class: "filters" }, field("Month", month)), area);
  load();
}
