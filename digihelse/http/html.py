"""Small server-rendered HTML pages for the HTTP routes (login errors and the like),
styled like the app and readable without JavaScript."""

from __future__ import annotations

from html import escape

from starlette.responses import HTMLResponse

_STYLE = """
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;
background:#f3f6f8;line-height:1.5;font-size:1.0625rem}
header{background:#005a70;color:#fff;padding:14px 16px;font-weight:700;font-size:1.25rem}
main{max-width:640px;margin:0 auto;padding:20px 16px}
h1{font-size:1.5rem;line-height:1.25;margin:0 0 12px}
.box{background:#fdecea;border-left:4px solid #a4161a;padding:12px 16px;border-radius:8px;
margin:0 0 20px}
.ok{background:#e8f1f8;border-left-color:#005a70}
.btn{display:flex;align-items:center;justify-content:center;min-height:52px;border-radius:12px;
border:2px solid #005a70;font-size:1.125rem;font-weight:600;text-decoration:none;
margin:0 0 12px;padding:10px 16px}
.primary{background:#005a70;color:#fff}.secondary{background:#fff;color:#005a70}
.muted{color:#4a4a4a;font-size:.95rem}
a:focus-visible{outline:3px solid #1a1a1a;outline-offset:2px;box-shadow:0 0 0 6px #ffbf47}
button.btn{width:100%;cursor:pointer;font-family:inherit}
button:focus-visible{outline:3px solid #1a1a1a;outline-offset:2px;box-shadow:0 0 0 6px #ffbf47}
.passkey-message:empty{display:none}.passkey-message{padding:12px 16px;border-radius:8px;
margin:0 0 16px}.passkey-message[data-state=working]{background:#e8f1f8;
border-left:4px solid #005a70}.passkey-message[data-state=problem]{background:#fdecea;
border-left:4px solid #a4161a}
"""


# The tab's Reflex token lives in sessionStorage and would carry over to the next login
# in this tab; pages that end a session forget it, so the next login starts from nothing.
FORGET_TAB = "<script>try{sessionStorage.clear()}catch(e){}</script>"


def page(lang: str, title: str, body_html: str, status: int = 200, *,
         forget_tab: bool = False) -> HTMLResponse:
    """A complete page; `body_html` must already be escaped."""
    html = (
        f'<!DOCTYPE html><html lang="{escape(lang)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} – DigiHelse</title><style>{_STYLE}</style></head>"
        '<body><header role="banner">DigiHelse</header>'
        f'<main id="main"><h1>{escape(title)}</h1>{body_html}</main>'
        f'{FORGET_TAB if forget_tab else ""}</body></html>'
    )
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})


def button(href: str, text: str, primary: bool = True) -> str:
    kind = "primary" if primary else "secondary"
    return f'<a class="btn {kind}" href="{escape(href)}">{escape(text)}</a>'
