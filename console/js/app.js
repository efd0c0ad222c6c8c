// The console's shell: hash routes to views, the header, sign-out and toasts.
// A view is `show(main, params, app)` and may return a cleanup function (stops polling).

import { api } from "./api.js";
import { h, mount } from "./dom.js";
import { session } from "./session.js";
import * as admins from "./views/admins.js";
import * as approvals from "./views/approvals.js";
import * as client from "./views/client.js";
import * as clients from "./views/clients.js";
import * as jobs from "./views/jobs.js";
import * as lead from "./views/lead.js";
import * as leads from "./views/leads.js";
import * as notifications from "./views/notifications.js";
import * as outbound from "./views/outbound.js";
import * as signin from "./views/signin.js";
import * as templates from "./views/templates.js";
import * as usage from "./views/usage.js";

const ROUTES = [
  [/^clients$/, clients],
  [/^clients\/([^/]+)$/, client],
  [/^leads$/, leads],
  [/^leads\/([^/]+)$/, lead],
  [/^approvals$/, approvals],
  [/^approvals\/([^/]+)$/, approvals],
  [/^outbound$/, outbound],
  [/^templates$/, templates],
  [/^jobs$/, jobs],
  [/^usage$/, usage],
  [/^notifications$/, notifications],
  [/^admins$/, admins],
];

const main = document.getElementById("main");
const header = document.querySelector("header.top");
const toasts = document.querySelector(".toasts");
let cleanup = null;
let signedOutMessage = "";

const app = {
  navigate(path) {
    if (location.hash === `#/${path}`) route();
    else location.hash = `#/${path}`;
  },
  toast(text, kind = "ok") {
    const item = h("p", { class: `toast ${kind}` }, text);
    toasts.append(item);
    setTimeout(() => item.remove(), kind === "error" ? 10000 : 4000);
  },
  signedIn() {
    signedOutMessage = "";
    app.navigate("clients");
  },
};

function current() {
  return location.hash.replace(/^#\/?/, "").split("?")[0];
}

function route() {
  if (cleanup) cleanup();
  cleanup = null;
  const path = current();
  if (!session.token() || session.secondsLeft() <= 0) {
    if (session.token()) signedOutMessage = "Your session has expired. Sign in again to continue.";
    session.clear();
    header.hidden = true;
    cleanup = signin.show(main, [], app, signedOutMessage) || null;
    return;
  }
  header.hidden = false;
  header.querySelector(".who-name").textContent = session.username();
  for (const link of header.querySelectorAll("nav a")) {
    const section = link.getAttribute("href").slice(2);
    link.toggleAttribute("aria-current", path === section || path.startsWith(`${section}/`));
  }
  const match = ROUTES.map(([pattern, view]) => [path.match(pattern), view]).find(([m]) => m);
  if (!match) {
    app.navigate("clients");
    return;
  }
  const [found, view] = match;
  mount(main);
  cleanup = view.show(main, found.slice(1).map(decodeURIComponent), app) || null;
  main.focus({ preventScroll: true });
}

async function signOut() {
  try {
    await api.logout(); // revokes the token where the oauth service supports it
  } catch (error) {
    if (error.kind !== "missing" && error.kind !== "auth") app.toast(error.message, "error");
  }
  session.clear();
  signedOutMessage = "You are signed out.";
  route();
}

window.addEventListener("leadwire:signed-out", (event) => {
  signedOutMessage = event.detail.message;
  route();
});
window.addEventListener("hashchange", route);
header.querySelector(".sign-out").addEventListener("click", signOut);
header.querySelector(".menu-toggle").addEventListener("click", (event) => {
  const open = event.currentTarget.getAttribute("aria-expanded") !== "true";
  event.currentTarget.setAttribute("aria-expanded", String(open));
  header.classList.toggle("open", open);
});
header.querySelector("nav").addEventListener("click", () => {
  header.classList.remove("open");
  header.querySelector(".menu-toggle").setAttribute("aria-expanded", "false");
});
route();
