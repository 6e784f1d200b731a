// The encryption screens: set up the workspace key with a passphrase (with strength feedback),
// show the 24 recovery words once (the person confirms they wrote them down), unlock on a new
// device with the passphrase or the words, change the passphrase. The engine does the work
// (keys.* in pylib/blobs/api_methods.py); a wrong passphrase or wrong words get a clear message
// in the dialog and nothing changes.
//
// For other parts of the page (the sync indicator, the storage view, the palette's "Set up
// encryption…" command): call `openEncryption({ session })`. It asks the engine where things
// stand and opens the right screen — sign in first, set up, unlock, or (when unlocked) change
// the passphrase / lock this device — and resolves to the engine's `keys.status` afterwards
// (`{signed_in, has_key, unlocked}`). `encryptionStatus(session)` is that status alone.

import { h } from "./dom.mjs";
import { openDialog } from "./dialogs.mjs";

const MIN_PASSPHRASE = 10; // pylib/keyring.py's MIN_PASSPHRASE
const LOSS = "If you forget the passphrase and lose the recovery words, nobody can read your files — not you, not Quire.";

/** The engine's `keys.status`: `{signed_in, has_key, unlocked}` (null fields: offline). */
export function encryptionStatus(session) {
  return session.call("keys.status", {});
}

/** A rough strength estimate: `{score 0..4, label}` from length, variety and repeats. */
export function passphraseStrength(text) {
  if (text.length < MIN_PASSPHRASE) return { score: 0, label: `Too short: at least ${MIN_PASSPHRASE} characters` };
  const pools = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9\s]/, /\s/].filter((re) => re.test(text)).length;
  const distinct = new Set(text.toLowerCase()).size;
  const bits = Math.min(text.length, distinct * 2) * Math.log2(10 + pools * 16);
  if (bits < 45) return { score: 1, label: "Weak: add words or length" };
  if (bits < 65) return { score: 2, label: "Fair" };
  if (bits < 90) return { score: 3, label: "Good" };
  return { score: 4, label: "Strong" };
}

let fieldCounter = 0;

function field(label, props = {}) {
  const id = `key-field-${++fieldCounter}`;
  const input = h(props.rows ? "textarea" : "input", {
    id, type: props.rows ? null : "password", autocomplete: props.autocomplete || "off", spellcheck: "false", ...props,
  });
  return { input, el: h("div", { class: "field" }, h("label", { for: id }, label), input) };
}

function meterFor(input) {
  const bar = h("span", { class: "key-meter-bar" });
  const text = h("span", { class: "key-meter-text", "aria-live": "polite" });
  const update = () => {
    const { score, label } = passphraseStrength(input.value);
    bar.style.width = `${(score / 4) * 100}%`;
    bar.dataset.score = String(score);
    text.textContent = input.value ? label : `At least ${MIN_PASSPHRASE} characters; a few unrelated words work well.`;
  };
  input.addEventListener("input", update);
  update();
  return h("div", { class: "key-meter" }, h("span", { class: "key-meter-track" }, bar), text);
}

/**
 * A dialog with a form: `submit()` returns a promise; its rejection's message shows in the
 * dialog (the dialog stays open, nothing else happens), its value closes the dialog.
 */
function formDialog({ title, intro, fields, extra = [], okLabel, submit, focus }) {
  const error = h("p", { class: "field-error", role: "alert", hidden: true });
  const ok = h("button", { type: "submit", class: "btn btn-primary", form: `key-form-${++fieldCounter}` }, okLabel);
  const form = h("form", { id: ok.getAttribute("form"), class: "key-form" }, intro.map((p) => h("p", {}, p)), fields, extra, error);
  const cancel = h("button", { type: "button", class: "btn", onclick: () => d.close(null) }, "Cancel");
  const d = openDialog({ title, size: "medium", body: [form], foot: [cancel, ok] });
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    error.hidden = true;
    ok.disabled = true;
    const label = ok.textContent;
    ok.textContent = "Working…";
    try {
      d.close(await submit());
    } catch (err) {
      error.textContent = err?.message || String(err);
      error.hidden = false;
    } finally {
      ok.disabled = false;
      ok.textContent = label;
    }
  });
  (focus || fields[0]?.querySelector?.("input, textarea"))?.focus();
  return d.closed;
}

function checkNew(passphrase, again) {
  if (passphrase.length < MIN_PASSPHRASE) throw new Error(`Choose a passphrase of at least ${MIN_PASSPHRASE} characters.`);
  if (passphrase !== again) throw new Error("The two passphrases are not the same.");
}

/** Set up: a passphrase (twice), then the recovery words once. */
export async function openSetup({ session }) {
  const first = field("Passphrase", { autocomplete: "new-password" });
  const again = field("Repeat the passphrase", { autocomplete: "new-password" });
  const shown = await formDialog({
    title: "Set up encryption", okLabel: "Set up encryption",
    intro: ["Your large files are encrypted on this device before they are uploaded; the server only ever sees ciphertext.",
      "Choose a passphrase. You will also get 24 recovery words.", LOSS],
    fields: [first.el, meterFor(first.input), again.el],
    submit: () => {
      checkNew(first.input.value, again.input.value);
      return session.call("keys.setup", { passphrase: first.input.value });
    },
  });
  if (!shown) return null;
  await showRecoveryWords(shown.words);
  return shown;
}

/** The 24 words, once; "Done" only after the person says they wrote them down. */
export function showRecoveryWords(words) {
  const list = h("ol", { class: "key-words", "aria-label": "Recovery words" }, words.map((w) => h("li", {}, w)));
  const done = h("button", { type: "button", class: "btn btn-primary", disabled: true, onclick: () => d.close(true) }, "Done");
  const check = h("input", { type: "checkbox", id: "key-words-written", onchange: () => { done.disabled = !check.checked; } });
  const print = h("button", { type: "button", class: "btn", onclick: () => printWords(words) }, "Print");
  const d = openDialog({
    title: "Your recovery words", size: "medium",
    body: [
      h("p", {}, "Write these 24 words down, in order, and keep them somewhere safe. With them you can open your files on a new device if you forget the passphrase."),
      h("p", { class: "hint" }, "They are shown only this once. ", LOSS),
      list,
      h("p", { class: "key-check" }, check, h("label", { for: "key-words-written" }, " I have written down the recovery words")),
    ],
    foot: [print, done],
  });
  check.focus();
  return d.closed;
}

function printWords(words) {
  const frame = h("iframe", { title: "Recovery words", style: { position: "fixed", width: "0", height: "0", border: "0" } });
  document.body.append(frame);
  const doc = frame.contentDocument;
  doc.title = "Quire recovery words";
  doc.body.append(doc.createElement("h1"));
  doc.body.firstChild.textContent = "Quire recovery words";
  const ol = doc.createElement("ol");
  for (const w of words) ol.append(Object.assign(doc.createElement("li"), { textContent: w }));
  doc.body.append(ol, Object.assign(doc.createElement("p"), { textContent: LOSS }));
  frame.contentWindow.print();
  setTimeout(() => frame.remove(), 1000);
}

/** Unlock on this device: the passphrase, or the 24 recovery words. */
export function openUnlock({ session }) {
  const pass = field("Passphrase", { autocomplete: "current-password" });
  const words = field("Recovery words", { rows: 4, placeholder: "24 words, separated by spaces" });
  words.el.hidden = true;
  let byWords = false;
  const toggle = h("button", { type: "button", class: "btn btn-link", onclick: () => {
    byWords = !byWords;
    pass.el.hidden = byWords;
    words.el.hidden = !byWords;
    toggle.textContent = byWords ? "Use the passphrase instead" : "Use the recovery words instead";
    (byWords ? words.input : pass.input).focus();
  } }, "Use the recovery words instead");
  return formDialog({
    title: "Unlock encrypted files", okLabel: "Unlock",
    intro: ["This workspace's files are encrypted. Enter its passphrase (or the recovery words) to open them on this device."],
    fields: [pass.el, words.el], extra: [toggle],
    submit: () => (byWords
      ? session.call("keys.recover", { words: words.input.value })
      : session.call("keys.unlock", { passphrase: pass.input.value })),
  });
}

/** Change the passphrase: the current one, then the new one twice. The recovery words stay. */
export function openChangePassphrase({ session }) {
  const current = field("Current passphrase", { autocomplete: "current-password" });
  const first = field("New passphrase", { autocomplete: "new-password" });
  const again = field("Repeat the new passphrase", { autocomplete: "new-password" });
  return formDialog({
    title: "Change the passphrase", okLabel: "Change passphrase",
    intro: ["Your files are not re-encrypted; only the passphrase that unlocks them changes. The recovery words stay the same."],
    fields: [current.el, first.el, meterFor(first.input), again.el],
    submit: () => {
      checkNew(first.input.value, again.input.value);
      return session.call("keys.change_passphrase", { passphrase: current.input.value, new_passphrase: first.input.value });
    },
  });
}

function infoDialog(title, lines, actions = []) {
  const close = h("button", { type: "button", class: "btn btn-primary", onclick: () => d.close(null) }, "Close");
  const buttons = actions.map(([label, value]) => h("button", { type: "button", class: "btn", onclick: () => d.close(value) }, label));
  const d = openDialog({ title, size: "medium", body: lines.map((l) => h("p", {}, l)), foot: [...buttons, close] });
  close.focus();
  return d.closed;
}

/** The right screen for where things stand (see the module's header); the status after it. */
export async function openEncryption({ session }) {
  let status;
  try {
    status = await encryptionStatus(session);
  } catch (err) {
    await infoDialog("Encryption", [err?.message || String(err)]);
    return null;
  }
  if (status.signed_in === false) {
    await infoDialog("Encryption", ["Sign in to set up encryption: the workspace key is kept, wrapped under your passphrase, in your cloud storage.",
      h("a", { href: "/signin" }, "Sign in")]);
  } else if (status.unlocked) {
    const next = await infoDialog("Encryption", ["Encryption is set up, and your files are unlocked on this device.", LOSS],
      [["Change passphrase…", "change"], ["Lock on this device", "lock"]]);
    if (next === "change") await openChangePassphrase({ session });
    if (next === "lock") await session.call("keys.lock", {});
  } else if (status.signed_in === null) {
    await infoDialog("Encryption", ["Quire cannot reach the server right now. Connect to set up or unlock encryption; files you add meanwhile are kept on this device."]);
  } else if (status.has_key) {
    await openUnlock({ session });
  } else {
    await openSetup({ session });
  }
  return encryptionStatus(session).catch(() => status);
}
