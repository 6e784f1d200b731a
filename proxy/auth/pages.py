"""The server-rendered pages of signing in and out: plain HTML forms, no scripts.

Everything interpolated is escaped. The pages load nothing external and carry a strict
Content-Security-Policy: inline styles only, no scripts, forms post to this origin only.
What they promise is what signing in gives today: an account on this server; the workspace
itself lives in the browser and needs none.
"""

from __future__ import annotations

from html import escape

from starlette.responses import HTMLResponse

CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
WHAT_SIGNING_IN_GIVES = (
    "Your workspace lives in this browser and works offline without signing in. Signing in connects "
    "this page to your account on this Quire server: your devices sync through it, end-to-end "
    "encrypted once you set up encryption."
)
LINK_SPENT = (
    "This sign-in link can no longer be used: it was used already, it expired, or the server was "
    "restarted since it was printed. Sign in below, or use the new link printed when the server starts."
)
CROSS_SITE = (
    "This form was not sent from Quire's own page. Open Quire at its own address and try again. "
    "(If you run this server and reach it under another name, set QUIRE_PUBLIC_URL to that address.)"
)

STYLE = """
  :root { color-scheme: light dark; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; }
  body { margin: 0; min-height: 100vh; display: grid; place-items: center; background: Canvas; color: CanvasText; }
  main { width: min(22rem, 90vw); padding: 2rem; border: 1px solid color-mix(in srgb, CanvasText 15%, transparent);
         border-radius: 12px; box-shadow: 0 4px 24px color-mix(in srgb, CanvasText 8%, transparent); }
  h1 { margin: 0 0 .25rem; font-size: 1.4rem; }
  p { margin: 0 0 1.25rem; opacity: .8; font-size: .95rem; }
  label { display: block; margin: .9rem 0 .3rem; font-size: .9rem; font-weight: 600; }
  input { width: 100%; box-sizing: border-box; padding: .6rem .7rem; font: inherit; border-radius: 8px;
          border: 1px solid color-mix(in srgb, CanvasText 25%, transparent); background: Field; color: FieldText; }
  button { width: 100%; margin-top: 1.4rem; padding: .65rem; font: inherit; font-weight: 600; border: 0;
           border-radius: 8px; background: #3b5bdb; color: white; cursor: pointer; }
  button:hover { background: #364fc7; }
  .error { margin: 0 0 1rem; padding: .6rem .75rem; border-radius: 8px; background: #fff0f0; color: #a51d1d; opacity: 1; }
  .note { margin: 0 0 1rem; padding: .6rem .75rem; border-radius: 8px; background: #eef3ff; color: #1e3a8a; opacity: 1; }
  .aside { margin-top: 1.25rem; font-size: .85rem; text-align: center; }
  a { color: #3b5bdb; }
"""

SIGNIN_FORM = """  <form method="post" action="/signin">
    <label for="name">Name</label>
    <input id="name" name="name" autocomplete="username" required maxlength="256" value="{name}" autofocus>
    <label for="password">Password</label>
    <input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1024">
    <button type="submit">Sign in</button>
  </form>"""

SIGNOUT_FORM = """  <form method="post" action="/signout">
    <button type="submit">Sign out</button>
  </form>"""


def render(title: str, body: str, *, status: int = 200, headers: dict | None = None) -> HTMLResponse:
    """A complete page around `body` (already-escaped HTML)."""
    html = (f'<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{escape(title)} · Quire</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n"
            f"{body}\n</main>\n</body>\n</html>\n")
    return HTMLResponse(html, status_code=status,
                        headers={"Content-Security-Policy": CSP, "Cache-Control": "no-store", **(headers or {})})


def _message(text: str | None, kind: str) -> str:
    if not text:
        return ""
    role = ' role="alert"' if kind == "error" else ' role="status"'
    return f'  <p class="{kind}"{role}>{escape(text)}</p>\n'


def signin_page(*, name: str = "", error: str | None = None, note: str | None = None, status: int = 200,
                headers: dict | None = None) -> HTMLResponse:
    body = (f"  <h1>Sign in to Quire</h1>\n  <p>{escape(WHAT_SIGNING_IN_GIVES)}</p>\n"
            f"{_message(note, 'note')}{_message(error, 'error')}"
            f"{SIGNIN_FORM.format(name=escape(name[:256], quote=True))}\n"
            '  <p class="aside"><a href="/">Continue without signing in</a></p>')
    return render("Sign in", body, status=status, headers=headers)


def signed_in_page(name: str) -> HTMLResponse:
    body = (f"  <h1>Signed in as {escape(name)}</h1>\n  <p>{escape(WHAT_SIGNING_IN_GIVES)}</p>\n"
            f"{SIGNOUT_FORM}\n"
            '  <p class="aside"><a href="/">Back to your workspace</a></p>')
    return render("Signed in", body)


def signed_out_page(*, error: str | None = None, status: int = 200) -> HTMLResponse:
    body = ("  <h1>You are signed out</h1>\n"
            "  <p>Your workspace stays in this browser and keeps working.</p>\n"
            f"{_message(error, 'error')}"
            '  <p class="aside"><a href="/signin">Sign in again</a> · <a href="/">Back to your workspace</a></p>')
    return render("Signed out", body, status=status)


def refused_page() -> HTMLResponse:
    """A form post that did not come from the app's own page: nothing was done."""
    body = ("  <h1>Nothing was changed</h1>\n"
            f"{_message(CROSS_SITE, 'error')}"
            '  <p class="aside"><a href="/">Back to your workspace</a></p>')
    return render("Refused", body, status=403)
