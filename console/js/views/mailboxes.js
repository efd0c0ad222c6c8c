// A client's mailboxes: connect Gmail / Outlook through the provider's real consent
// page (in a popup window, so the console keeps its state), status, sync health and
// lag, disconnect and move to another client.

import { api } from "../api.js";
import { ago, busy, chip, emptyState, field, h, mount, notice, select, when } from "../dom.js";
import { live } from "../live.js";

const PROVIDERS = { google: "Gmail", microsoft: "Outlook" };

/** Follow the popup until it lands back on our /oauth/ callback page, then read it. */
function watchPopup(popup, onDone) {
  const timer = setInterval(() => {
    if (popup.closed) {
      clearInterval(timer);
      onDone(null);
      return;
    }
    let doc = null;
    try {
      if (popup.location.pathname.startsWith("/oauth/")) doc = popup.document;
    } catch {
      return; // still on the provider's origin
    }
    if (!doc || doc.readyState !== "complete") return;
    clearInterval(timer);
    const ok = Boolean(doc.querySelector("h1.ok"));
    const text = doc.querySelector("p")?.textContent || doc.title;
    popup.close();
    onDone({ ok, text });
  }, 300);
}

function connectForm(clientId, app, refresh, out) {
  const hint = h("input", { name: "login_hint", type: "email", placeholder: "sales@company.com", autocomplete: "off" });
  const form = h(
    "form",
    { class: "inline-form", "aria-label": "Connect a mailbox" },
    field("Mailbox address (optional)", hint, "Pre-fills the provider's sign-in"),
    h("div", { class: "actions" }, Object.entries(PROVIDERS).map(([provider, label]) =>
      h("button", { type: "submit", value: provider, class: "primary" }, `Connect ${label}`))),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const provider = event.submitter?.value || "google";
    // Opened now, inside the click, so popup blockers allow it; pointed at the provider below.
    const popup = window.open("about:blank", "leadwire-connect", "popup,width=520,height=700");
    const started = await busy(form, out, () => api.startConnect(clientId, provider, hint.value.trim()));
    if (!started) {
      popup?.close();
      return;
    }
    if (!popup) {
      location.assign(started.auth_url); // popups blocked: the whole tab goes, and comes back
      return;
    }
    popup.location.href = started.auth_url;
    mount(out, notice("info", `Finish signing in to ${PROVIDERS[provider]} in the window that opened…`));
    watchPopup(popup, (result) => {
      if (!result) mount(out, notice("info", "The sign-in window was closed."));
      else mount(out, notice(result.ok ? "ok" : "error", result.text));
      if (result?.ok) app.toast(result.text);
      refresh();
    });
  });
  return form;
}

function syncHealth(mailboxId) {
  const cell = h("span", { class: "muted" }, "checking sync…");
  api.mailboxSync(mailboxId).then(
    (s) => {
      const lag = s.lag_seconds == null ? "" : ` · lag ${Math.round(s.lag_seconds)} s`;
      const last = s.last_sync_at ? `synced ${ago(Date.now() - new Date(s.last_sync_at))}` : "not synced yet";
      mount(cell, s.last_error ? h("span", { class: "error-text" }, `${last}${lag} · ${s.last_error}`) : `${last}${lag}`);
    },
    (error) => mount(cell, h("span", { class: "muted" }, `Sync health unavailable: ${error.message}`)),
  );
  return cell;
}

function moveControl(m, clientId, app, out, refresh, clients) {
  const target = select("client_id", [["", "Move to…"]], "");
  clients.then(
    (clients) => clients.filter((c) => c.id !== clientId).forEach((c) => target.append(h("option", { value: c.id }, c.name))),
    () => {},
  );
  target.setAttribute("aria-label", `Move ${m.address} to another client`);
  target.addEventListener("change", async () => {
    if (!target.value) return;
    const name = target.selectedOptions[0].textContent;
    if (!confirm(`Move ${m.address} to ${name}? Its new leads will belong to ${name}.`)) {
      target.value = "";
      return;
    }
    const moved = await busy(target.parentElement, out, () => api.moveMailbox(m.mailbox_id, target.value));
    if (moved !== undefined) app.toast(`${m.address} moved to ${name}.`);
    refresh();
  });
  return target;
}

function rows(items, clientId, app, out, refresh, clients) {
  const connected = items.filter((m) => m.mailbox_id);
  if (!connected.length) {
    return emptyState("No mailbox connected yet.", "Connect the client's Gmail or Outlook mailbox above; Leadwire then answers the leads that arrive there.");
  }
  return h("ul", { class: "cards" }, connected.map((m) => {
    const disconnect = h("button", { type: "button", class: "danger" }, "Disconnect");
    disconnect.addEventListener("click", async () => {
      if (!confirm(`Disconnect ${m.address}? Leadwire stops reading and answering it.`)) return;
      const done = await busy(disconnect.parentElement, out, () => api.disconnectMailbox(m.mailbox_id));
      if (done) app.toast(`${m.address} disconnected.`);
      refresh();
    });
    return h("li", { class: "card mailbox", dataset: { mailbox: m.mailbox_id } },
      h("div", { class: "mailbox-head" }, h("strong", {}, m.address), " ", h("span", { class: "muted" }, PROVIDERS[m.provider] || m.provider), " ", chip(m.status)),
      m.last_error ? h("p", { class: "error-text" }, m.last_error) : null,
      h("p", { class: "muted" }, `Token refreshed: ${when(m.last_refresh_at)} · `, syncHealth(m.mailbox_id)),
      h("div", { class: "actions" }, disconnect, moveControl(m, clientId, app, out, refresh, clients)));
  }));
}

export function mailboxesSection(clientId, app, onItems) {
  const list = h("div", {});
  const out = h("div", { class: "out" });
  const clients = api.clients(); // the "Move to…" choices, fetched once per visit
  clients.catch(() => {}); // no choices then; the clients page says why
  const feed = live({
    load: () => api.connectionStatus(clientId),
    render: (items) => {
      onItems(items);
      mount(list, rows(items, clientId, app, out, () => feed.refresh(), clients));
    },
    every: 10000,
    what: "mailboxes",
  });
  const element = h("section", { class: "card", "aria-labelledby": "mailboxes-title" },
    h("h2", { id: "mailboxes-title" }, "Mailboxes"), connectForm(clientId, app, () => feed.refresh(), out), out, feed.element, list);
  return { element, stop: feed.stop };
}
