// The page's one sanitiser for rendered Markdown: DOMPurify (vendored from npm), configured
// from the same policy file the renderer follows (pylib/markdown/policy.json, copied into
// web/vendor by scripts/vendor.py). Whatever the renderer or the engine hands over, only the
// policy's tags, attributes, classes and URL schemes reach the page.

import createDOMPurify from "../vendor/dompurify/purify.es.mjs";
import policy from "../vendor/markdown/policy.json" with { type: "json" };

export { policy };

/** The prefix the sanitiser gives every id (see SANITIZE_NAMED_PROPS below). */
export const ID_PREFIX = "user-content-";

const purify = createDOMPurify(window);
const GLOBAL = new Set(policy.global_attributes);
const CLASSES = policy.classes.map((pattern) => new RegExp(pattern));
// An allowed scheme, or none at all (a relative reference or a #fragment): DOMPurify's own
// pattern, with the policy's schemes.
export const URL_PATTERN = new RegExp(`^(?:(?:${policy.schemes.join("|")}):|[^a-z]|[a-z+.\\-]+(?:[^a-z+.\\-:]|$))`, "i");

const CONFIG = {
  ALLOWED_TAGS: Object.keys(policy.tags),
  ALLOWED_ATTR: [...new Set([...Object.values(policy.tags).flat(), ...GLOBAL])],
  // Names, not URLs: they are looked up by the page, never loaded.
  ADD_URI_SAFE_ATTR: ["data-wiki", "data-heading"],
  ALLOWED_URI_REGEXP: URL_PATTERN,
  ALLOW_DATA_ATTR: false,
  ALLOW_ARIA_ATTR: false,
  // Ids become "user-content-<id>" (as on GitHub): a heading called "Title" or "Links" can then
  // neither shadow a document property nor lose its anchor to DOMPurify's clobbering check.
  SANITIZE_NAMED_PROPS: true,
  RETURN_DOM_FRAGMENT: true,
};

purify.addHook("uponSanitizeAttribute", (node, data) => {
  const allowed = policy.tags[node.nodeName.toLowerCase()];
  const name = data.attrName;
  if (!allowed || !(allowed.includes(name) || GLOBAL.has(name))) {
    data.keepAttr = false;
  } else if (name === "class") {
    data.attrValue = data.attrValue.split(/\s+/).filter((c) => CLASSES.some((re) => re.test(c))).join(" ");
  } else if (name === "data-src") {
    // An image's workspace path or URL: DOMPurify does not check data-* values as URLs.
    data.keepAttr = URL_PATTERN.test(data.attrValue.replace(/[\u0000-\u0020\u00a0\u1680\u180e\u2000-\u2029\u205f\u3000]/g, ""));
  }
});

/** Sanitise `html` into an inert DocumentFragment holding only what the policy allows. */
export function sanitize(html) {
  const fragment = purify.sanitize(html, CONFIG);
  for (const input of fragment.querySelectorAll("input")) {
    if (!policy.input_types.includes((input.getAttribute("type") || "").toLowerCase())) input.remove();
  }
  return fragment;
}
