// Renaming or moving a note (or a folder of notes) offers to update the links that point to it:
// the engine counts them first (links.incoming), the dialog says how many, and the change and
// every rewritten link happen in one transaction (`update_links`).

import { h } from "./dom.mjs";
import { openDialog } from "./dialogs.mjs";

/** `{notes, links}` linking into `item` from elsewhere, or null when none (or unknown). */
export async function incomingLinks(session, item) {
  try {
    const params = item.type === "folder" ? { folder: item.path } : { id: item.id };
    const res = await session.call("links.incoming", params);
    return res.notes ? res : null;
  } catch {
    return null;
  }
}

export function describe({ notes, links }) {
  return `${links} link${links === 1 ? "" : "s"} in ${notes} note${notes === 1 ? "" : "s"}`;
}

/** A checkbox for the rename dialog: `{el, checked()}`; checked by default. */
export function updateLinksField(incoming) {
  const box = h("input", { type: "checkbox", id: "update-links", checked: true });
  const el = h("label", { class: "check-field", for: "update-links" }, box,
    h("span", {}, `Update ${describe(incoming)} that point here`));
  return { el, checked: () => box.checked };
}

/** Before a move: update the links, keep them as they are, or cancel (null). */
export function askUpdateLinks(incoming, label) {
  const update = h("button", { type: "button", class: "btn btn-primary", onclick: () => d.close("update") }, "Move and update links");
  const keep = h("button", { type: "button", class: "btn", onclick: () => d.close("keep") }, "Move only");
  const cancel = h("button", { type: "button", class: "btn", onclick: () => d.close(null) }, "Cancel");
  const d = openDialog({
    title: `Move ${label}`,
    body: [h("p", {}, `${describe(incoming)} point${incoming.links === 1 ? "s" : ""} to ${label}. Update them so they still lead here after the move?`)],
    foot: [cancel, h("span", { class: "spacer" }), keep, update],
  });
  update.focus();
  return d.closed.then((v) => (v === "update" ? true : v === "keep" ? false : null));
}
