// Settings — the server-side semantic index, for a signed-in user: turn it on or off (what
// that means, in one sentence), see how many vectors the server holds for them and how many
// wait to be uploaded, and delete them all from the server. Opened from the account area
// ("Semantic index: on").

import { $, h } from "./dom.mjs";
import { openDialog } from "./dialogs.mjs";
import { serverIndexWanted } from "../embed/uploader.mjs";

const number = new Intl.NumberFormat("en");
const plural = (n, one, many) => `${number.format(n)} ${n === 1 ? one : many}`;
export const EXPLAINED = "Also keeps your search vectors (numbers only, never your text) on this server,"
  + " so semantic search works at once on your other devices.";

/** The account area's entry ("Semantic index: on"), added once the user is signed in. */
export function showServerIndexEntry(semantic) {
  if ($("#server-index-open")) return;
  const button = h("button", { type: "button", class: "btn btn-quiet server-index", id: "server-index-open",
    title: EXPLAINED, onclick: () => openServerIndexSettings(semantic) });
  const label = () => { button.textContent = `Semantic index: ${serverIndexWanted() ? "on" : "off"}`; };
  label();
  button.addEventListener("server-index-changed", label);
  $("#account")?.prepend(button);
}

/** What the status line says: the server's count (or why there is none) and the local queue. */
async function statusText(uploader, engine) {
  if (!uploader.signedIn) return "Sign in to keep a server-side index.";
  let server;
  try {
    server = `${plural((await uploader.summary()).points, "vector", "vectors")} on the server`;
  } catch (error) {
    server = error.status === 0 ? "The server cannot be reached (offline)" : `The server did not answer (${error.message})`;
  }
  const { remaining } = await engine.call("vectors.outbox", { limit: 1 });
  const waiting = serverIndexWanted() && remaining ? `; ${plural(remaining, "change", "changes")} waiting to upload` : "";
  return `${server}${waiting}.`;
}

/** The settings dialog; `semantic`: the page's Semantic (its uploader and engine). */
export function openServerIndexSettings(semantic) {
  const { uploader, engine } = semantic;
  const box = h("input", { type: "checkbox", id: "server-index", checked: serverIndexWanted() });
  const status = h("p", { class: "summary", id: "server-index-status", role: "status" }, "Asking the server…");
  const problem = h("p", { class: "field-error", id: "server-index-problem", hidden: true });
  const remove = h("button", { type: "button", class: "btn danger", id: "server-index-delete" }, "Delete my vectors from the server");
  const refresh = async () => { status.textContent = await statusText(uploader, engine).catch((e) => `Status unavailable: ${e.message}`); };
  const busy = async (work) => {
    box.disabled = remove.disabled = true;
    problem.hidden = true;
    try { await work(); } catch (error) {
      problem.textContent = `Could not change the server-side index: ${error.message}. Nothing was lost; try again.`;
      problem.hidden = false;
    }
    box.checked = serverIndexWanted();
    box.disabled = remove.disabled = false;
    $("#server-index-open")?.dispatchEvent(new Event("server-index-changed"));
    await refresh();
  };
  box.addEventListener("change", () => busy(() => uploader.setWanted(box.checked)));
  remove.addEventListener("click", () => busy(() => uploader.setWanted(false)));
  const d = openDialog({
    title: "Settings — server-side semantic index", size: "medium",
    body: [
      h("label", { class: "check-row" }, box, h("span", {}, "Server-side semantic index")),
      h("p", { class: "hint", id: "server-index-explained" }, EXPLAINED,
        " Turning it off deletes them from the server; search on this device keeps working from its own index."),
      status, problem,
      h("div", { class: "server-index-actions" }, remove,
        h("span", { class: "hint" }, "Deletes every vector of yours on the server (from all your devices) and turns the index off here.")),
    ],
    foot: [h("span", { class: "spacer" }), h("button", { type: "button", class: "btn btn-primary", onclick: () => d.close() }, "Close")],
  });
  refresh();
  return d;
}
