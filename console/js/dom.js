// Building the page without innerHTML: every value from an API goes in as text,
// so a lead's subject or a client's name can never inject markup or script.

/** h("button", {class: "primary", onclick}, "Save") → an element. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2), value);
    } else if (key === "class") {
      el.className = value;
    } else if (key === "dataset") {
      Object.assign(el.dataset, value);
    } else if (key === "value") {
      el.value = value;
    } else if (value === true) {
      el.setAttribute(key, "");
    } else {
      el.setAttribute(key, String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replace everything inside `el`. */
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A labelled form field; `input` is an element (input, select, textarea). */
export function field(label, input, hint) {
  const id = input.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  input.id = id;
  return h(
    "div",
    { class: "field" },
    h("label", { for: id }, label),
    input,
    hint ? h("small", { class: "hint" }, hint) : null,
  );
}

export function select(name, options, current) {
  return h(
    "select",
    { name },
    options.map(([value, label]) =>
      h("option", { value, selected: String(value) === String(current ?? "") }, label),
    ),
  );
}

/** A message area that screen readers announce; `kind` is error | ok | info. */
export function notice(kind, text) {
  return h("p", { class: `notice ${kind}`, role: kind === "error" ? "alert" : "status" }, text);
}

export function emptyState(title, next) {
  return h("div", { class: "empty" }, h("p", { class: "empty-title" }, title), h("p", {}, next));
}

export function chip(status) {
  const text = String(status ?? "unknown");
  return h("span", { class: `chip chip-${text.replace(/[^a-z_]/gi, "")}` }, text.replaceAll("_", " "));
}

export function when(iso) {
  if (!iso) return "—";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : date.toLocaleString();
}

export function ago(ms) {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s ago`;
  const minutes = Math.round(seconds / 60);
  return minutes < 60 ? `${minutes} min ago` : `${Math.round(minutes / 60)} h ago`;
}

/** Disable a form's controls while `work` runs; show its error (in words) in `out`. */
export async function busy(form, out, work) {
  const controls = [...form.querySelectorAll("button, input, select, textarea")];
  controls.forEach((c) => (c.disabled = true));
  if (out) mount(out);
  try {
    return await work();
  } catch (error) {
    if (out) mount(out, notice("error", error.message));
    else throw error;
    return undefined;
  } finally {
    controls.forEach((c) => (c.disabled = false));
  }
}
