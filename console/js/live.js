// Live lists by polling: every few seconds while the tab is visible, with a visible
// "updated Xs ago" line and a Refresh button. Polling (not SSE) because every service
// already answers plain JSON lists, it needs no long-lived connections through nginx,
// and a failed refresh keeps the last data on screen with the error in words.

import { ago, h, mount } from "./dom.js";

export function live({ load, render, every = 5000, what = "list" }) {
  const status = h("span", { class: "live-text" }, "Loading…");
  const button = h("button", { type: "button", class: "link", onclick: () => refresh() }, "Refresh");
  const element = h("div", { class: "live", "aria-live": "polite" }, status, " ", button);
  let updatedAt = 0;
  let attemptedAt = 0;
  let error = null;
  let timer = null;
  let running = false;
  let stopped = false;

  function paint() {
    if (error) {
      const age = updatedAt ? ` Showing the ${what} from ${ago(Date.now() - updatedAt)}.` : "";
      mount(status, h("span", { class: "live-error", role: "alert" }, `${error.message}${age}`));
    } else if (updatedAt) {
      mount(status, h("span", { class: "dot" }), ` Live · updated ${ago(Date.now() - updatedAt)}`);
    }
  }

  async function refresh() {
    if (running || stopped) return;
    running = true;
    attemptedAt = Date.now();
    try {
      const data = await load();
      if (stopped) return;
      error = null;
      updatedAt = Date.now();
      render(data);
    } catch (failure) {
      error = failure;
      if (failure.kind === "auth") stop();
    } finally {
      running = false;
      paint();
    }
  }

  function tick() {
    paint();
    if (!document.hidden && Date.now() - attemptedAt >= every) refresh();
  }

  function onVisible() {
    if (!document.hidden) refresh();
  }

  function stop() {
    stopped = true;
    clearInterval(timer);
    document.removeEventListener("visibilitychange", onVisible);
  }

  timer = setInterval(tick, 1000);
  document.addEventListener("visibilitychange", onVisible);
  refresh();
  return { element, stop, refresh };
}
