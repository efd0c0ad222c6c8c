// Templates: a client's reusable emails (Jinja variables like {{ name }}),
// edited with a live preview rendered by the sender service itself.

import { api } from "../api.js";
import { busy, emptyState, field, h, mount, notice, select } from "../dom.js";

const SAMPLE = { name: "Ada Lovelace", email: "ada@example.com" };

/** Sample values for the preview, one per variable the template uses. */
function samples(names) {
  return Object.fromEntries((names?.length ? names : ["name"]).map((n) => [n, SAMPLE[n] ?? `sample ${n}`]));
}

function editor(t, clientId, app, done) {
  const f = {
    name: h("input", { name: "name", value: t?.name ?? "", required: true }),
    subject: h("input", { name: "subject", value: t?.subject ?? "", required: true }),
    body_text: h("textarea", { name: "body_text", rows: 10, required: true }, t?.body_text ?? ""),
    vars: h("textarea", { name: "variables", rows: 4 }, JSON.stringify(samples(t?.variables), null, 1)),
  };
  const out = h("div", { class: "out" });
  const preview = h("div", { class: "preview", "aria-live": "polite" });
  const fields = () => ({ name: f.name.value.trim(), subject: f.subject.value, body_text: f.body_text.value });
  const showPreview = h("button", { type: "button" }, "Preview");
  showPreview.addEventListener("click", async () => {
    let variables;
    try {
      variables = JSON.parse(f.vars.value || "{}");
    } catch (error) {
      mount(preview, notice("error", `The sample variables are not valid JSON: ${error.message}`));
      return;
    }
    if (!t) {
      mount(preview, notice("info", "Save the template first; then preview it with sample variables."));
      return;
    }
    const shown = await busy(form, preview, () => api.previewTemplate(t.id, variables));
    if (shown) mount(preview, h("h3", {}, shown.subject), h("pre", { class: "mail" }, shown.text));
  });
  const form = h("form", { class: "card", "aria-label": t ? `Template ${t.name}` : "New template" },
    h("h2", {}, t ? `Edit “${t.name}”` : "New template"),
    field("Name", f.name), field("Subject", f.subject), field("Body", f.body_text, "Variables: {{ name }}, {{ email }}, and any a bulk-send recipient carries"),
    field("Sample variables for the preview (JSON)", f.vars, t?.variables?.length ? `This template uses: ${t.variables.join(", ")}` : undefined),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Save template"), showPreview),
    out, preview);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const saved = await busy(form, out, () => (t ? api.updateTemplate(t.id, fields()) : api.createTemplate({ client_id: clientId, ...fields() })));
    if (saved) {
      app.toast("Template saved.");
      done();
    }
  });
  return form;
}

export function show(main, _params, app) {
  const clientSelect = select("client_id", [["", "Pick a client"]], "");
  const list = h("div", {});
  const area = h("div", {});
  async function load() {
    mount(area);
    if (!clientSelect.value) {
      mount(list, emptyState("Pick a client.", "Templates belong to one client; choose it above."));
      return;
    }
    try {
      const items = await api.templates({ client_id: clientSelect.value });
      const newButton = h("button", { type: "button", class: "primary", onclick: () => mount(area, editor(null, clientSelect.value, app, load)) }, "New template");
      mount(list, newButton, items.length
        ? h("ul", { class: "queue" }, items.map((t) => h("li", {}, h("button", { type: "button", class: "link", onclick: () => mount(area, editor(t, clientSelect.value, app, load)) }, t.name), h("div", { class: "muted" }, t.subject))))
        : emptyState("No templates yet.", "Create one for follow-ups or bulk sends."));
    } catch (error) {
      mount(list, notice("error", error.message));
    }
  }
  api.clients().then((cs) => cs.forEach((c) => clientSelect.append(h("option", { value: c.id }, c.name))), (e) => mount(list, notice("error", e.message)));
  clientSelect.addEventListener("change", load);
  mount(main, h("h1", {}, "Templates"), h("div", { class: "filters" }, field("Client", clientSelect)), h("div", { class: "split" }, h("aside", {}, list), area));
  load();
}
