"""What content types objects may carry, and how they are served back: always as downloads.

The embedded S3 answers on 127.0.0.1, the same site as the app, so an object served inline as
HTML or SVG would run script with the app's site. Two layers keep that from happening:
- uploads may only declare inert types (an allow-list: anything unknown counts as active);
- every presigned GET overrides the response to `Content-Disposition: attachment` and
  `Content-Type: application/octet-stream`, which also covers objects stored before this rule
  or written by other means. S3 has no override for `X-Content-Type-Options`; an attachment of
  type octet-stream is downloaded, never rendered, so nothing is left for sniffing to decide.
"""

from __future__ import annotations

from proxy.http.errors import ApiError

DEFAULT_TYPE = "application/octet-stream"
DOWNLOAD_DISPOSITION = "attachment"

# Types a browser shows without running anything: no markup, no script, no XML (which can carry
# XSLT or be rendered as XHTML). Encrypted blobs are application/octet-stream.
INERT_TYPES = frozenset({
    "application/octet-stream", "application/json", "application/pdf", "application/zip",
    "application/gzip", "application/zstd", "application/x-tar",
    "text/plain", "text/markdown", "text/csv",
    "image/png", "image/jpeg", "image/gif", "image/webp", "image/avif",
    "audio/mpeg", "audio/ogg", "audio/wav", "audio/webm", "video/mp4", "video/webm", "video/ogg",
})


def upload_type(declared: str | None) -> str:
    """The content type to sign for an upload; ApiError(422) for anything that is not inert.

    Media types are case-insensitive, so the check is too: `TEXT/HTML` is text/html. The one
    parameter kept is `charset=utf-8`, on text types.
    """
    if declared is None:
        return DEFAULT_TYPE
    essence, _, parameter = declared.partition(";")
    essence = essence.strip().lower()
    if essence not in INERT_TYPES:
        raise ApiError(422, "invalid_request",
                       f"content_type: {essence} is not allowed for stored objects; "
                       f"use {DEFAULT_TYPE} or another inert type")
    if not parameter:
        return essence
    # UTF-8 is the only charset worth declaring; others (UTF-7 above all) have been used to smuggle script.
    if not essence.startswith("text/") or parameter.strip().lower() != "charset=utf-8":
        raise ApiError(422, "invalid_request", "content_type: the only parameter allowed is charset=utf-8 on text types")
    return f"{essence}; charset=utf-8"


def download_overrides() -> dict[str, str]:
    """Response overrides signed into every presigned GET."""
    return {"ResponseContentDisposition": DOWNLOAD_DISPOSITION, "ResponseContentType": DEFAULT_TYPE}
