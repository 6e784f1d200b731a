// Who is signed in, in the top bar, with the control to sign in or out.
// Signing in is for the server only: the workspace lives in this browser and works without it,
// so everything here stays quiet when the server cannot be reached.

import { $, h, icon } from "./dom.mjs";

const GIVES = "Signing in connects this page to your account on this Quire server. "
  + "Your workspace stays in this browser and works offline without it; signed in, your devices sync, end-to-end encrypted once you set up encryption.";

async function fetchMe() {
  try {
    // 200 either way: {signed_in: false} when nobody is signed in (no console error for that).
    const res = await fetch("/api/auth/me", { cache: "no-store", credentials: "same-origin", headers: { accept: "application/json" } });
    return res.ok ? await res.json() : null;
  } catch {
    return null; // offline
  }
}

async function signOut(button) {
  button.disabled = true;
  try {
    // A same-origin fetch: Chromium sends Origin and Sec-Fetch-Site, which the server checks.
    const res = await fetch("/api/auth/logout", { method: "POST", credentials: "same-origin", headers: { accept: "application/json" } });
    if (!res.ok) throw new Error(`sign-out answered ${res.status}`);
  } catch (err) {
    console.warn("Sign-out failed:", err);
    button.disabled = false;
    return;
  }
  await showAccount();
}

/** Show who is signed in (and a "Sign out" button), or the "Sign in" link. */
export async function showAccount() {
  const me = await fetchMe();
  if (!me) return; // offline or an unexpected answer: leave the corner as it is
  const name = $("#account-name");
  const link = $("#sign-in");
  $("#sign-out")?.remove();
  if (me.signed_in) {
    const who = me.name || me.uid || "you";
    name.replaceChildren(icon("user"), h("span", { class: "visually-hidden" }, "Signed in as "), h("span", {}, who));
    name.title = `Signed in as ${who}. ${GIVES}`;
    name.hidden = false;
    link.hidden = true;
    if (me.via === "session") {
      const button = h("button", { type: "button", class: "btn btn-quiet", id: "sign-out" }, "Sign out");
      button.addEventListener("click", () => signOut(button));
      name.after(button);
    }
  } else {
    name.hidden = true;
    link.title = GIVES;
    link.hidden = false;
  }
}
