// Clients: the live list, and a form to create one (name + slug for its lead form URL).

import { api } from "../api.js";
import { busy, chip, emptyState, field, h, mount, when } from "../dom.js";
import { live } from "../live.js";

export function slugify(name) {
  return name
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60);
}

function table(items) {
  if (!items.length) {
    return emptyState(
      "No clients yet.",
      "Create the first client with the form above; then connect its Gmail or Outlook mailbox.",
    );
  }
  return h(
    "table",
    { class: "list" },
    h("thead", {}, h("tr", {}, ["Name", "Slug", "Auto-send", "Slack", "Created"].map((t) => h("th", { scope: "col" }, t)))),
    h(
      "tbody",
      {},
      items.map((c) =>
        h(
          "tr",
          {},
          h("td", { "data-label": "Name" }, h("a", { href: `#/clients/${c.id}` }, c.name)),
          h("td", { "data-label": "Slug" }, h("code", {}, c.slug)),
          h("td", { "data-label": "Auto-send" }, chip(c.auto_send)),
          h("td", { "data-label": "Slack" }, c.slack_webhook || "not set"),
          h("td", { "data-label": "Created" }, when(c.created_at)),
        ),
      ),
    ),
  );
}

function createForm(app) {
  const name = h("input", { name: "name", required: true, maxlength: 200 });
  const slug = h("input", { name: "slug", required: true, pattern: "[a-z0-9]([a-z0-9\\-]{0,61}[a-z0-9])?", title: "lower-case letters, digits and dashes, not at either end" });
  let slugTouched = false;
  name.addEventListener("input", () => {
    if (!slugTouched) slug.value = slugify(name.value);
  });
  slug.addEventListener("input", () => (slugTouched = true));
  const out = h("div", { class: "out" });
  const form = h(
    "form",
    { class: "card inline-form", "aria-label": "New client" },
    h("h2", {}, "New client"),
    h("div", { class: "row" }, field("Name", name), field("Slug", slug, "Used in its lead form URL: /lead/<slug>")),
    h("button", { type: "submit", class: "primary" }, "Create client"),
    out,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const created = await busy(form, out, () =>
      api.createClient({ name: name.value.trim(), slug: slug.value.trim() }),
    );
    if (created) {
      app.toast(`Client ${created.name} created. Connect its mailbox next.`);
      app.navigate(`clients/${created.id}`);
    }
  });
  return form;
}

export function show(main, _params, app) {
  const list = h("div", { class: "list-area" });
  const feed = live({ load: api.clients, render: (items) => mount(list, table(items)), what: "clients" });
  mount(main, h("h1", {}, "Clients"), createForm(app), h("section", { "aria-label": "All clients" }, feed.element, list));
  return feed.stop;
}
