// Selecting a range of the open document's text and scrolling it into view: the one place the
// page reaches into the editor for that. An editor with its own `select(from, to)` (the
// CodeMirror editor has one) is asked to do it; the plain text area is handled here.

/** The open document's text as the editor shows it. */
export function editorText(editor) {
  if (typeof editor.text === "function") return editor.text();
  return editor.textarea?.value ?? "";
}

/** Select `from`..`to` (offsets into the text), focus the editor and scroll the range into view. */
export function selectInEditor(editor, from, to) {
  if (typeof editor.select === "function") return editor.select(from, to);
  const area = editor.textarea;
  if (!area) return undefined;
  // A match in a hidden editor is not in view: leave the preview-only view first.
  editor.showEditor?.();
  area.focus({ preventScroll: true });
  area.setSelectionRange(from, to);
  area.scrollTop = Math.max(0, offsetTopOf(area, from) - area.clientHeight / 3);
  return undefined;
}

const COPIED = [
  "font", "letterSpacing", "lineHeight", "paddingTop", "paddingLeft", "paddingRight", "tabSize",
  "textIndent", "textTransform", "whiteSpace", "wordBreak", "overflowWrap", "wordSpacing",
];

// Above this many characters, laying out a copy costs more than a close guess is worth.
const MEASURED_CHARS = 200_000;

/** How far below the top of the text area's content `pos` is, measured on a hidden copy (soft
 * wrapping makes line counts wrong); in a very long text, in proportion to the offset. */
function offsetTopOf(area, pos) {
  if (area.value.length > MEASURED_CHARS) return area.scrollHeight * (pos / area.value.length);
  const style = getComputedStyle(area);
  const mirror = document.createElement("div");
  for (const prop of COPIED) mirror.style[prop] = style[prop];
  const padX = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
  Object.assign(mirror.style, {
    position: "absolute", visibility: "hidden", top: "0", left: "-10000px", boxSizing: "content-box",
    width: `${area.clientWidth - padX}px`, whiteSpace: "pre-wrap", overflowWrap: "break-word",
  });
  mirror.textContent = area.value.slice(0, pos);
  const marker = document.createElement("span");
  marker.textContent = "\u200b";
  mirror.append(marker);
  document.body.append(mirror);
  const top = marker.offsetTop;
  mirror.remove();
  return top;
}
