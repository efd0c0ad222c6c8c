// Every call the console makes to the /admin/* APIs, in one place: paths, request
// bodies, and small normalisers for answer shapes, so a service changing its shape
// is a one-line change here. Errors become ApiError with a message a person can read.

import { session } from "./session.js";

// Which service answers a path (for error messages like "the drafter service...").
const SERVICES = [
  [/^\/admin\/(login|logout|clients|admins|me)|^\/admin\/mailboxes\/[^/]+(\/move)?$/, "oauth"],
  [/^\/admin\/(leads|contacts)|^\/admin\/mailboxes\/[^/]+\/(messages|sync)/, "ingest"],
  [/^\/admin\/(drafts|usage)/, "drafter"],
  [/^\/admin\/(outbound|templates|jobs)|^\/admin\/mailboxes\/[^/]+\/send/, "sender"],
  [/^\/admin\/notifications/, "notifier"],
];

export function serviceOf(path) {
  const found = SERVICES.find(([pattern]) => pattern.test(path));
  return found ? found[1] : "gateway";
}

export class ApiError extends Error {
  constructor(message, { status = 0, kind = "server", path = "" } = {}) {
    super(message);
    this.status = status;
    this.kind = kind; // auth | network | unavailable | missing | invalid | conflict | server
    this.path = path;
  }
}

/** FastAPI's `detail`: a string, or a list of {loc, msg} for validation errors. */
function detailText(detail) {
  if (typeof detail === "string") return detail;
  if (detail && typeof detail.message === "string") {
    const missing = detail.missing?.length ? ` (missing: ${detail.missing.join(", ")})` : "";
    return `${detail.message}${missing}`;
  }
  if (Array.isArray(detail)) {
    return detail
      .map((d) => {
        const where = (d.loc || []).filter((p) => p !== "body" && p !== "query").join(".");
        if (d.type === "extra_forbidden") return `${where} is not supported by this server yet`;
        return where ? `${where}: ${d.msg}` : d.msg;
      })
      .join("; ");
  }
  return "";
}

function describe(status, body, path, headers) {
  const service = serviceOf(path);
  const said = detailText(body && body.detail);
  if (status === 401) {
    if (path === "/admin/login") return [said || "Wrong username or password.", "auth"];
    const expired = /expired/i.test(said);
    return [
      expired
        ? "Your session has expired. Sign in again to continue."
        : `You are signed out (${said || "the token was refused"}). Sign in again.`,
      "auth",
    ];
  }
  if (status === 429) {
    const wait = headers.get("Retry-After");
    return [`${said || "Too many requests."}${wait ? ` Try again in ${wait} s.` : ""}`, "conflict"];
  }
  if (status === 404 && body && /no such route on the gateway/.test(said)) {
    return [`The ${service} service does not offer ${path} yet on this gateway.`, "missing"];
  }
  if ([502, 503, 504].includes(status)) {
    return [
      said && status === 503
        ? `The ${service} service is unavailable: ${said}`
        : `The ${service} service is not answering (HTTP ${status}). Try again in a moment; ` +
          "if it persists, check that the service is running.",
      "unavailable",
    ];
  }
  // FastAPI's own 404/405 for a route a service does not have (yet).
  if ((status === 404 && said === "Not Found") || status === 405) {
    return [`The ${service} service does not offer this (${path}) yet.`, "missing"];
  }
  const kind = { 404: "missing", 409: "conflict", 400: "invalid", 422: "invalid" }[status];
  const prefix = status === 422 || status === 400 ? "Please check: " : "";
  return [`${prefix}${said || `The ${service} service answered HTTP ${status}.`}`, kind || "server"];
}

/** One request; resolves to the parsed JSON answer (or null for an empty body). */
export async function request(method, path, { body, query, auth = true } = {}) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== "") params.set(key, value);
  }
  const url = params.size ? `${path}?${params}` : path;
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (auth && session.token()) headers.Authorization = `Bearer ${session.token()}`;
  let answer;
  try {
    answer = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin", // the connect call sets the browser-binding cookie
    });
  } catch {
    throw new ApiError("Cannot reach Leadwire: check your network connection.", {
      kind: "network",
      path,
    });
  }
  const text = await answer.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null; // an HTML error page from the gateway
  }
  if (!answer.ok) {
    const [message, kind] = describe(answer.status, data, path, answer.headers);
    const error = new ApiError(message, { status: answer.status, kind, path });
    if (kind === "auth" && path !== "/admin/login") session.expire(message);
    throw error;
  }
  if (text && data === null) {
    throw new ApiError(`The ${serviceOf(path)} service answered something that is not JSON.`, {
      status: answer.status,
      path,
    });
  }
  return data;
}

const get = (path, query) => request("GET", path, { query });
const post = (path, body) => request("POST", path, { body: body ?? {} });
const patch = (path, body) => request("PATCH", path, { body });
const del = (path) => request("DELETE", path);
const id = (value) => encodeURIComponent(value);

/** A page: `{items | leads, next_cursor | next_before}` or a bare list → {items, next_cursor}. */
function page(answer, key = "items") {
  if (Array.isArray(answer)) return { items: answer, next_cursor: null };
  const next = answer?.next_cursor ?? answer?.next_before ?? null;
  return { items: answer?.[key] ?? answer?.items ?? [], next_cursor: next };
}

/** A timeline entry's time may be `at` (ingest) or `occurred_at`. */
function activity(item) {
  return { ...item, occurred_at: item.occurred_at ?? item.at };
}

/** Leads may name their id `id` or `lead_id`; the console reads `id`. */
function withId(item, key) {
  return item && item.id === undefined && item[key] !== undefined ? { ...item, id: item[key] } : item;
}

export const api = {
  // oauth: sign in and out, admins
  login: (username, password) =>
    request("POST", "/admin/login", { body: { username, password }, auth: false }),
  logout: () => post("/admin/logout"),
  admins: () => get("/admin/admins"),
  createAdmin: (username, password) => post("/admin/admins", { username, password }),
  deleteAdmin: (adminId) => del(`/admin/admins/${id(adminId)}`),
  /** Every older token of this admin stops working; the answer carries a fresh one. */
  changePassword: (current_password, new_password) =>
    request("PUT", "/admin/admins/me/password", { body: { current_password, new_password } }),

  // oauth: clients, their policy, profile and mailboxes
  clients: () => get("/admin/clients", { limit: 500 }),
  client: (clientId) => get(`/admin/clients/${id(clientId)}`),
  createClient: (fields) => post("/admin/clients", fields),
  updateClient: (clientId, changes) => patch(`/admin/clients/${id(clientId)}`, changes),
  testSlack: (clientId) => post(`/admin/clients/${id(clientId)}/slack/test`),
  connectionStatus: (clientId) => get(`/admin/clients/${id(clientId)}/connection-status`),
  startConnect: (clientId, provider, loginHint) =>
    post(`/admin/clients/${id(clientId)}/connect/${id(provider)}`, {
      login_hint: loginHint || null,
    }),
  disconnectMailbox: (mailboxId) => del(`/admin/mailboxes/${id(mailboxId)}`),
  moveMailbox: (mailboxId, clientId) =>
    post(`/admin/mailboxes/${id(mailboxId)}/move`, { client_id: clientId }),
  providersHealth: () => get("/health/providers"),

  // ingest: leads, contacts, mailbox sync health
  leads: async ({ client_id, status, mailbox_id, q } = {}, cursor) => {
    const query = { client_id, status, mailbox_id, q, cursor, limit: 50 };
    const answer = page(await get("/admin/leads", query), "leads");
    return { ...answer, items: answer.items.map((l) => withId(l, "lead_id")) };
  },
  lead: async (leadId) => {
    const lead = withId(await get(`/admin/leads/${id(leadId)}`), "lead_id");
    return { ...lead, timeline: (lead.timeline || []).map(activity) };
  },
  closeLead: (leadId, closed) =>
    patch(`/admin/leads/${id(leadId)}`, { status: closed ? "closed" : "open" }),
  contact: (contactId) => get(`/admin/contacts/${id(contactId)}`),
  mailboxMessages: (mailboxId) => get(`/admin/mailboxes/${id(mailboxId)}/messages`),
  mailboxSync: (mailboxId) => get(`/admin/mailboxes/${id(mailboxId)}/sync`),

  // drafter: approvals and usage
  drafts: async (filters, cursor) => page(await get("/admin/drafts", { ...filters, cursor })),
  draft: (draftId) => get(`/admin/drafts/${id(draftId)}`),
  approveDraft: (draftId, edits) => post(`/admin/drafts/${id(draftId)}/approve`, edits),
  rejectDraft: (draftId, reason) => post(`/admin/drafts/${id(draftId)}/reject`, { reason }),
  regenerateDraft: (draftId, instructions) =>
    post(`/admin/drafts/${id(draftId)}/regenerate`, { instructions }),
  usage: (filters) => get("/admin/usage", filters),

  // sender: outbound mail, templates, bulk jobs
  // Outbound pages by `before` (the last row's created_at), given back as next_cursor.
  outbound: async (filters, before) => page(await get("/admin/outbound", { ...filters, before })),
  retryOutbound: (outboundId) => post(`/admin/outbound/${id(outboundId)}/retry`),
  templates: async (filters) => page(await get("/admin/templates", filters)).items,
  createTemplate: (fields) => post("/admin/templates", fields),
  updateTemplate: (templateId, fields) => patch(`/admin/templates/${id(templateId)}`, fields),
  deleteTemplate: (templateId) => del(`/admin/templates/${id(templateId)}`),
  /** {subject, text, html}; a missing variable is a 422 naming every missing name. */
  previewTemplate: (templateId, variables) =>
    post(`/admin/templates/${id(templateId)}/preview`, { variables }),
  job: (jobId) => get(`/admin/jobs/${id(jobId)}`),
  /** recipients: [{address, name, variables}]; source "recipients" or "drafts". */
  startJob: (fields) => post("/admin/jobs/send", fields),
  cancelJob: (jobId) => post(`/admin/jobs/${id(jobId)}/cancel`),

  // notifier: Slack notices
  notifications: async (filters, cursor) =>
    page(await get("/admin/notifications", { ...filters, cursor })),
};
