// Bulk send jobs: start one (a template to a list of addresses from a client's
// mailbox), watch its progress bar, cancel it.

import { api } from "../api.js";
import { busy, chip, emptyState, field, h, mount, select, when } from "../dom.js";
import { live } from "../live.js";

function progress(job) {
  const total = job.requested || job.total || 0;
  const done = (job.sent || 0) + (job.failed || 0);
  const percent = total ? Math.round((100 * done) / total) : 0;
  return h("div", {},
    h("progress", { max: total || 1, value: done, "aria-label": `Job progress ${percent}%` }),
    h("span", { class: "muted" }, ` ${job.sent || 0} sent, ${job.failed || 0} failed, ${Math.max(0, total - done)} to go`));
}

function jobRow(job, app, out, refresh) {
  const cancel = job.status === "running" ? h("button", { type: "button", class: "danger" }, "Cancel") : null;
  cancel?.addEventListener("click", async () => {
    if (!confirm("Cancel this job? Mail already sent stays sent.")) return;
    const done = await busy(cancel.parentElement, out, () => api.cancelJob(job.id));
    if (done) app.toast("Job cancelled.");
    refresh();
  });
  return h("li", { class: "card" }, h("div", {}, chip(job.status), ` started ${when(job.created_at)}`), progress(job), h("div", { class: "actions" }, cancel));
}

function startForm(app, refresh) {
  const client = select("client_id", [["", "Pick a client"]], "");
  const template = select("template_id", [["", "Pick a template"]], "");
  const recipients = h("textarea", { name: "recipients", rows: 6, placeholder: "ada@example.com, Ada Lovelace\ngrace@example.com" });
  const out = h("div", { class: "out" });
  api.clients().then((cs) => cs.forEach((c) => client.append(h("option", { value: c.id }, c.name))), () => {});
  client.addEventListener("change", async () => {
    mount(template, h("option", { value: "" }, "Pick a template"));
    if (!client.value) return;
    const items = await busy(form, out, () => api.templates({ client_id: client.value }));
    (items || []).forEach((t) => template.append(h("option", { value: t.id }, t.name)));
  });
  const form = h("form", { class: "card", "aria-label": "New bulk send" }, h("h2", {}, "New bulk send"),
    h("div", { class: "row" }, field("Client", client), field("Template", template)),
    field("Recipients", recipients, "One per line: address, then an optional name"),
    h("button", { type: "submit", class: "primary" }, "Start sending"), out);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const list = recipients.value.split("\n").map((l) => l.split(",").map((s) => s.trim())).filter(([e]) => e)
      .map(([email, name]) => ({ email, name: name || "" }));
    const job = await busy(form, out, () => api.startJob({ client_id: client.value, template_id: template.value, recipients: list }));
    if (job) {
      app.toast(`Sending to ${list.length} recipients.`);
      refresh();
    }
  });
  return form;
}

export function show(main, _params, app) {
  const list = h("div", {});
  const out = h("div", { class: "out" });
  const feed = live({
    load: () => api.jobs({}),
    render: (jobs) => mount(list, jobs.length
      ? h("ul", { class: "cards" }, jobs.map((j) => jobRow(j, app, out, () => feed.refresh())))
      : emptyState("No bulk sends yet.", "Start one above: pick a client, one of its templates, and paste the recipients.")),
    every: 3000,
    what: "jobs",
  });
  mount(main, h("h1", {}, "Bulk send"), startForm(app, () => feed.refresh()), out, feed.element, list);
  return feed.stop;
}
