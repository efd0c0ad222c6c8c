// Bulk send jobs: start one (a template to a pasted list, or a client's drafts awaiting
// approval), watch its progress bar, cancel it. The sender has no "list jobs" call, so
// the jobs started from this browser tab are remembered here and polled one by one.

import { api } from "../api.js";
import { busy, chip, emptyState, field, h, mount, select, when } from "../dom.js";
import { live } from "../live.js";

const KEY = "leadwire.jobs";
const known = () => JSON.parse(sessionStorage.getItem(KEY) || "[]");
const remember = (jobId) => sessionStorage.setItem(KEY, JSON.stringify([jobId, ...known()].slice(0, 20)));

function progress(job) {
  const total = job.total || 0;
  const done = total - (job.pending ?? total);
  const percent = Math.round(100 * (job.progress ?? (total ? done / total : 0)));
  return h("div", {},
    h("progress", { max: 100, value: percent, "aria-label": `Job progress ${percent}%` }),
    h("span", { class: "muted" }, ` ${percent}% · ${job.sent} sent, ${job.failed} failed, ${job.cancelled || 0} cancelled, ${job.pending} to go (of ${total})`));
}

function jobCard(job, app, out, refresh) {
  const cancel = job.status === "running" ? h("button", { type: "button", class: "danger" }, "Cancel") : null;
  cancel?.addEventListener("click", async () => {
    if (!confirm("Cancel this job? Mail already sent stays sent.")) return;
    const done = await busy(cancel.parentElement, out, () => api.cancelJob(job.id));
    if (done) app.toast("Job cancelled: nothing more goes out.");
    refresh();
  });
  return h("li", { class: "card" }, h("div", {}, chip(job.status), ` started ${when(job.created_at)}`), progress(job), h("div", { class: "actions" }, cancel));
}

function parseRecipients(text) {
  return text.split("\n").map((l) => l.split(",").map((s) => s.trim())).filter(([a]) => a)
    .map(([address, name]) => ({ address, name: name || "" }));
}

function startForm(app, refresh) {
  const client = select("client_id", [["", "Pick a client"]], "");
  const source = select("source", [["recipients", "A template to the addresses below"], ["drafts", "The client's drafts awaiting approval"]], "recipients");
  const template = select("template_id", [["", "No template"]], "");
  const recipients = h("textarea", { name: "recipients", rows: 6, placeholder: "ada@example.com, Ada Lovelace\ngrace@example.com" });
  const out = h("div", { class: "out" });
  api.clients().then((cs) => cs.forEach((c) => client.append(h("option", { value: c.id }, c.name))), (e) => mount(out, h("p", { class: "notice error", role: "alert" }, e.message)));
  const form = h("form", { class: "card", "aria-label": "New bulk send" }, h("h2", {}, "New bulk send"),
    h("div", { class: "row" }, field("Client", client), field("What to send", source), field("Template", template)),
    field("Recipients", recipients, "One per line: address, then an optional name"),
    h("button", { type: "submit", class: "primary" }, "Start sending"), out);
  client.addEventListener("change", async () => {
    mount(template, h("option", { value: "" }, "No template"));
    if (!client.value) return;
    const items = await busy(form, out, () => api.templates({ client_id: client.value }));
    (items || []).forEach((t) => template.append(h("option", { value: t.id }, t.name)));
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const list = source.value === "recipients" ? parseRecipients(recipients.value) : [];
    const body = { client_id: client.value, source: source.value, template_id: template.value || null, recipients: list };
    const job = await busy(form, out, () => api.startJob(body));
    if (job) {
      remember(job.id);
      app.toast(`Sending ${job.total} emails.`);
      refresh();
    }
  });
  return form;
}

export function show(main, _params, app) {
  const list = h("div", {});
  const out = h("div", { class: "out" });
  const feed = live({
    load: () => Promise.all(known().map((jobId) => api.job(jobId))),
    render: (jobs) => mount(list, jobs.length
      ? h("ul", { class: "cards" }, jobs.map((j) => jobCard(j, app, out, () => feed.refresh())))
      : emptyState("No bulk sends started from this tab.", "Start one above: pick a client, a template, and paste the recipients.")),
    every: 3000,
    what: "jobs",
  });
  mount(main, h("h1", {}, "Bulk send"), startForm(app, () => feed.refresh()), out, feed.element, list);
  return feed.stop;
}
