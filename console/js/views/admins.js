// Admins: who can sign in to the console; add or remove one; change your own password.

import { api } from "../api.js";
import { busy, emptyState, field, h, mount, notice, when } from "../dom.js";
import { session } from "../session.js";

function passwordForm(app) {
  const current = h("input", { type: "password", name: "current_password", autocomplete: "current-password", required: true });
  const next = h("input", { type: "password", name: "new_password", autocomplete: "new-password", required: true, minlength: 12 });
  const out = h("div", { class: "out" });
  const form = h("form", { class: "card", "aria-label": "Change your password" }, h("h2", {}, "Change your password"),
    field("Current password", current), field("New password", next, "At least 12 characters"),
    h("button", { type: "submit", class: "primary" }, "Change password"), out);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const done = await busy(form, out, () => api.changePassword(current.value, next.value));
    if (done) {
      session.save(done, session.username()); // older tokens stop working: keep the fresh one
      form.reset();
      mount(out, notice("ok", "Password changed."));
      app.toast("Password changed.");
    }
  });
  return form;
}

function createForm(reload) {
  const username = h("input", { name: "username", autocomplete: "off", required: true });
  const password = h("input", { type: "password", name: "password", autocomplete: "new-password", required: true, minlength: 12 });
  const out = h("div", { class: "out" });
  const form = h("form", { class: "card", "aria-label": "New admin" }, h("h2", {}, "New admin"),
    h("div", { class: "row" }, field("Username", username), field("Initial password", password, "Tell them to change it")),
    h("button", { type: "submit", class: "primary" }, "Add admin"), out);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (await busy(form, out, () => api.createAdmin(username.value.trim(), password.value))) {
      form.reset();
      reload();
    }
  });
  return form;
}

export function show(main, _params, app) {
  const list = h("div", {});
  const out = h("div", { class: "out" });
  async function reload() {
    try {
      const answer = await api.admins();
      const admins = Array.isArray(answer) ? answer : answer.items || [];
      mount(list, admins.length ? h("ul", { class: "cards" }, admins.map((a) => {
        const remove = a.username === session.username() ? h("span", { class: "muted" }, "(you)") : h("button", { type: "button", class: "danger" }, "Remove");
        if (remove.tagName === "BUTTON") remove.addEventListener("click", async () => {
          if (!confirm(`Remove ${a.username}? They can no longer sign in.`)) return;
          if ((await busy(list, out, () => api.deleteAdmin(a.id))) !== undefined) app.toast(`${a.username} removed.`);
          reload();
        });
        return h("li", { class: "card" }, h("strong", {}, a.username), ` · since ${when(a.created_at)} `, remove);
      })) : emptyState("No other admins.", "Add one below."));
    } catch (error) {
      mount(list, notice("error", error.message));
    }
  }
  mount(main, h("h1", {}, "Admins"), out, list, createForm(reload), passwordForm(app));
  reload();
}
