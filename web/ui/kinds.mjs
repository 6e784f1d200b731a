// What an artifact is, as far as the page is concerned: Markdown, other text, or binary.

import { basename } from "./dom.mjs";

const MARKDOWN_EXT = new Set(["md", "markdown", "mdown", "mkd"]);
const CODE_EXT = new Set([
  "py", "js", "mjs", "cjs", "ts", "tsx", "jsx", "json", "toml", "yaml", "yml", "ini", "cfg", "sh",
  "bash", "zsh", "sql", "html", "htm", "css", "scss", "xml", "c", "h", "cpp", "hpp", "rs", "go",
  "java", "kt", "rb", "php", "lua", "r", "swift", "cs", "makefile", "dockerfile",
]);
const TEXT_EXT = new Set(["txt", "text", "log", "csv", "tsv", "rst", "tex", "org", "adoc", "env"]);

export function extension(path) {
  const name = basename(path).toLowerCase();
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(dot + 1) : name;
}

export function displayName(artifact) {
  return artifact.name || basename(artifact.path || "");
}

/** "markdown" | "code" | "text" | "image" | "binary" — a guess from the name and MIME type. */
export function kindOf(artifact) {
  if (["markdown", "code", "text", "image"].includes(artifact.kind)) return artifact.kind;
  const mime = (artifact.mime_type || "").toLowerCase();
  const ext = extension(artifact.path || artifact.name || "");
  if (mime === "text/markdown" || MARKDOWN_EXT.has(ext)) return "markdown";
  if (CODE_EXT.has(ext)) return "code";
  if (mime.startsWith("image/")) return "image";
  if (mime.startsWith("text/") || TEXT_EXT.has(ext) || mime === "application/json") return "text";
  return "binary";
}

export function iconFor(kind) {
  return { markdown: "doc", code: "code", text: "file", image: "image" }[kind] || "file";
}

export function sizeOf(artifact) {
  return artifact.size_bytes ?? artifact.size ?? null;
}
