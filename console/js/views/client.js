// One client: profile and reply policy, Slack (write-only webhook), pipeline settings
// and its mailboxes. Each form PATCHes only the fields it shows.

import { api } from "../api.js";
import { busy, field, h, mount, notice, select } from "../dom.js";
import { mailboxesSection } from "./mailboxes.js";

const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const KINDS = [
  ["lead.received", "New lead"],
  ["lead.flagged", "Lead flagged"],
  ["draft.created", "Draft ready"],
  ["email.sent", "Reply sent"],
  ["email.send_failed", "Send failed"],
  ["lead.replied", "Lead replied"],
  ["email.sent_by_person", "Answered by a person"],
  ["mailbox.revoked", "Mailbox access revoked"],
  ["mailbox.sync_failed", "Mailbox sync failing"],
];
const lines = (text) => text.split(/[\n,]/).map((s) => s.trim()).filter(Boolean);

function saveOn(form, out, app, build, done) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const saved = await busy(form, out, () => build());
    if (saved) {
      app.toast("Saved.");
      done(form.getAttribute("aria-label"));
    }
  });
}

function input(name, value, attrs = {}) {
  return h("input", { name, value: value ?? "", ...attrs });
}

function profileForm(c, app, reload) {
  const hours = c.business_hours;
  const f = {
    name: input("name", c.name, { required: true }),
    slug: input("slug", c.slug, { required: true }),
    auto_send: select("auto_send", [["off", "Off: every draft waits for approval"], ["guarded", "Guarded: qualified leads go out, others wait"], ["always", "Always send"]], c.auto_send),
    delay: input("reply_delay_seconds", c.reply_delay_seconds, { type: "number", min: 0 }),
    hoursOn: h("input", { type: "checkbox", name: "hours_on", checked: Boolean(hours) }),
    tz: input("timezone", hours?.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone),
    start: input("start", (hours?.start ?? "09:00").slice(0, 5), { type: "time" }),
    end: input("end", (hours?.end ?? "17:00").slice(0, 5), { type: "time" }),
    offer: h("textarea", { name: "offer", rows: 3 }, c.profile?.offer ?? ""),
    tone: input("tone", c.profile?.tone),
    signature: h("textarea", { name: "signature", rows: 2 }, c.profile?.signature ?? ""),
    booking: input("booking_link", c.profile?.booking_link, { type: "url" }),
    language: input("language", c.profile?.language ?? "en", { size: 6 }),
    origins: h("textarea", { name: "allowed_origins", rows: 2 }, (c.allowed_origins || []).join("\n")),
  };
  const dayBoxes = DAYS.map((d) =>
    h("label", { class: "check" }, h("input", { type: "checkbox", value: d, checked: hours ? hours.days.includes(d) : !["sat", "sun"].includes(d) }), d),
  );
  const out = h("div", { class: "out" });
  const form = h(
    "form",
    { class: "card", "aria-label": "Profile and reply policy" },
    h("h2", {}, "Profile and reply policy"),
    h("div", { class: "row" }, field("Name", f.name), field("Slug", f.slug)),
    h("div", { class: "row" }, field("Auto-send", f.auto_send), field("Reply delay (seconds)", f.delay)),
    h("fieldset", {}, h("legend", {}, h("label", { class: "check" }, f.hoursOn, "Only send within business hours")),
      h("div", { class: "row" }, field("Time zone", f.tz), field("From", f.start), field("To", f.end)),
      h("div", { class: "days", role: "group", "aria-label": "Days" }, dayBoxes)),
    field("What the company offers", f.offer),
    h("div", { class: "row" }, field("Tone", f.tone), field("Language", f.language)),
    field("Signature", f.signature),
    field("Booking link", f.booking),
    field("Allowed origins for the lead form", f.origins, "One per line, like https://acme.example"),
    h("button", { type: "submit", class: "primary" }, "Save profile and policy"),
    out,
  );
  saveOn(form, out, app, () =>
    api.updateClient(c.id, {
      name: f.name.value.trim(),
      slug: f.slug.value.trim(),
      auto_send: f.auto_send.value,
      reply_delay_seconds: Number(f.delay.value || 0),
      business_hours: f.hoursOn.checked
        ? { timezone: f.tz.value.trim(), days: dayBoxes.map((l) => l.firstChild).filter((b) => b.checked).map((b) => b.value), start: f.start.value, end: f.end.value }
        : null,
      profile: { offer: f.offer.value, tone: f.tone.value, signature: f.signature.value, booking_link: f.booking.value.trim() || null, language: f.language.value.trim() },
      allowed_origins: lines(f.origins.value),
    }), reload);
  return form;
}

function slackForm(c, app, reload) {
  const url = h("input", { name: "slack_webhook_url", type: "password", autocomplete: "off", placeholder: "https://hooks.slack.com/services/…" });
  const out = h("div", { class: "out" });
  const test = h("button", { type: "button" }, "Send a test message");
  const form = h(
    "form",
    { class: "card", "aria-label": "Slack" },
    h("h2", {}, "Slack"),
    h("p", {}, "Current webhook: ", h("strong", { class: "masked" }, c.slack_webhook || "not set"), ". The URL is write-only: paste a new one to replace it."),
    field("New incoming-webhook URL", url),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Save webhook"), test),
    out,
  );
  // The form is rebuilt after saving: the URL is never kept on the page.
  saveOn(form, out, app, () => api.updateClient(c.id, { slack_webhook_url: url.value.trim() }), reload);
  test.addEventListener("click", async () => {
    const sent = await busy(form, out, () => api.testSlack(c.id));
    if (sent !== undefined) mount(out, notice("ok", "Test message sent: check the Slack channel."));
  });
  return form;
}

function pipelineForm(client, mailboxes, app, reload) {
  const c = client.pipeline || {};
  const follow = c.follow_up || { enabled: false, delays_business_days: [2, 5] };
  const kinds = c.notification_kinds || KINDS.map(([k]) => k);
  const f = {
    primary: select("primary_mailbox_id", [["", "First connected mailbox"], ...mailboxes.filter((m) => m.mailbox_id).map((m) => [m.mailbox_id, m.address])], c.primary_mailbox_id),
    followOn: h("input", { type: "checkbox", name: "follow_up_enabled", checked: Boolean(follow.enabled) }),
    delays: input("delays", (follow.delays_business_days || []).join(", ")),
    threshold: input("qualification_threshold", c.qualification_threshold ?? 50, { type: "number", min: 0, max: 100 }),
    own: h("textarea", { name: "own_domains", rows: 2 }, (c.own_domains || []).join("\n")),
    denied: h("textarea", { name: "denied_domains", rows: 2 }, (c.denied_domains || []).join("\n")),
  };
  f.primary.dataset.saved = c.primary_mailbox_id || ""; // chosen again once the mailboxes load
  const kindBoxes = KINDS.map(([k, label]) => h("label", { class: "check" }, h("input", { type: "checkbox", value: k, checked: kinds.includes(k) }), label));
  const out = h("div", { class: "out" });
  const form = h(
    "form",
    { class: "card", "aria-label": "Pipeline settings" },
    h("h2", {}, "Mailbox, follow-ups and notices"),
    field("Primary mailbox (answers form leads)", f.primary),
    h("fieldset", {}, h("legend", {}, h("label", { class: "check" }, f.followOn, "Send follow-ups until the lead answers")),
      field("Business days between follow-ups", f.delays, "For example: 2, 5")),
    field("Qualification threshold (0–100)", f.threshold, "Under guarded auto-send, drafts scoring below this wait for approval"),
    h("div", { class: "row" }, field("Own domains (never leads)", f.own), field("Denied domains", f.denied)),
    h("fieldset", {}, h("legend", {}, "Slack notices to send"), h("div", { class: "kinds" }, kindBoxes)),
    h("button", { type: "submit", class: "primary" }, "Save settings"),
    out,
  );
  // `pipeline` is replaced as a whole on PATCH: send every field of it.
  saveOn(form, out, app, () =>
    api.updateClient(client.id, { pipeline: {
      primary_mailbox_id: f.primary.value || null,
      follow_up: { ...follow, enabled: f.followOn.checked, delays_business_days: lines(f.delays.value).map(Number) },
      qualification_threshold: Number(f.threshold.value),
      own_domains: lines(f.own.value),
      denied_domains: lines(f.denied.value),
      notification_kinds: kindBoxes.map((l) => l.firstChild).filter((b) => b.checked).map((b) => b.value),
    } }), reload);
  return form;
}

/** Keep the primary-mailbox choices in step with the live mailbox list. */
function fillPrimary(choice, items) {
  if (!choice) return;
  const current = choice.value || choice.dataset.saved || "";
  const options = [["", "First connected mailbox"], ...items.filter((m) => m.mailbox_id).map((m) => [m.mailbox_id, m.address])];
  if (options.length === choice.options.length) return; // unchanged: leave the person's pick alone
  mount(choice, options.map(([value, label]) => h("option", { value, selected: value === current }, label)));
}

export function show(main, [clientId], app) {
  let mailboxes = [];
  const title = h("h1", {}, "Client");
  const forms = h("div", { class: "grid" });
  const out = h("div", { class: "out" });
  /** Re-render from the saved client; `saved` names the form to say "Saved." in. */
  async function reload(saved) {
    try {
      const c = await api.client(clientId);
      title.textContent = c.name;
      mount(forms, profileForm(c, app, reload), h("div", {}, slackForm(c, app, reload), pipelineForm(c, mailboxes, app, reload)));
      const form = saved && [...forms.querySelectorAll("form")].find((f) => f.getAttribute("aria-label") === saved);
      if (form) {
        mount(form.querySelector(".out"), notice("ok", "Saved."));
        form.querySelector("button[type=submit]").focus({ preventScroll: true }); // keyboard users stay put
      }
    } catch (error) {
      mount(out, notice("error", error.message));
    }
  }
  const boxes = mailboxesSection(clientId, app, (items) => {
    mailboxes = items;
    fillPrimary(forms.querySelector("select[name=primary_mailbox_id]"), items);
  });
  mount(main, h("p", { class: "crumbs" }, h("a", { href: "#/clients" }, "Clients")), title, out, boxes.element, forms);
  reload();
  return boxes.stop;
}
