// Sign in: username and password to POST /admin/login; the token goes to the session.

import { api } from "../api.js";
import { busy, field, h, mount, notice } from "../dom.js";
import { session } from "../session.js";

export function show(main, _params, app, message) {
  const username = h("input", { name: "username", autocomplete: "username", required: true });
  const password = h("input", {
    name: "password",
    type: "password",
    autocomplete: "current-password",
    required: true,
  });
  const out = h("div", { class: "out" }, message ? notice("info", message) : null);
  const form = h(
    "form",
    { class: "card signin", "aria-labelledby": "signin-title" },
    h("h1", { id: "signin-title" }, "Sign in to Leadwire"),
    out,
    field("Username", username),
    field("Password", password),
    h("button", { type: "submit", class: "primary" }, "Sign in"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const login = await busy(form, out, () => api.login(username.value.trim(), password.value));
    if (login) {
      session.save(login, username.value.trim());
      app.signedIn();
    } else {
      password.select();
    }
  });
  mount(main, h("div", { class: "center" }, form));
  (username.value ? password : username).focus();
}
