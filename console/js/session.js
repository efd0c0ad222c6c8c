// The admin's token lives in sessionStorage: it is gone when the tab closes, is never
// rendered, and only api.js reads it (for the Authorization header).

const KEY = "leadwire.session";

function read() {
  try {
    return JSON.parse(sessionStorage.getItem(KEY) || "null");
  } catch {
    return null;
  }
}

export const session = {
  token: () => read()?.token ?? null,
  username: () => read()?.username ?? "",
  /** Seconds left before the token expires (negative once it has). */
  secondsLeft: () => ((read()?.expiresAt ?? 0) - Date.now()) / 1000,

  save(login, username) {
    const expiresAt = Date.now() + (login.expires_in ?? 3600) * 1000;
    sessionStorage.setItem(KEY, JSON.stringify({ token: login.access_token, username, expiresAt }));
  },

  clear() {
    sessionStorage.removeItem(KEY);
  },

  /** The API refused the token: forget it and tell the app why (shown on sign-in). */
  expire(message) {
    sessionStorage.removeItem(KEY);
    window.dispatchEvent(new CustomEvent("leadwire:signed-out", { detail: { message } }));
  },
};
