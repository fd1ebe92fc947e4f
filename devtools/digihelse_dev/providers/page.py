"""HTML of the embedded test providers: the login form, error and logout pages, in nb/nn/en.
Self-contained (inline CSS, no external resources); every value put in is escaped."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from digihelse.core.i18n import t
from digihelse.core.i18n.families import keyed
from digihelse.people.nin import age_on

LOCALES = ("nb", "nn", "en")
DEFAULT_LOCALE = "nb"
BANNER = "TEST-innlogging"

ACR_LABEL_KEYS = {
    "idporten-loa-substantial": "acr_substantial",
    "idporten-loa-high": "acr_high",
}


def text(locale: str, key: str, **values: object) -> str:
    """A page message named by its short name (an error the provider reports, a kind's
    heading): from the product's catalogs, KeyError for a name it has not."""
    return t(keyed("provider", key), locale, **values)


def pick_locale(ui_locales: str | None) -> str:
    """The first supported language in a space-separated ui_locales list ("nb-NO" counts
    as nb; "no" as nb), else nb."""
    for tag in (ui_locales or "").split():
        primary = tag.lower().split("-")[0]
        if primary == "no":
            primary = "nb"
        if primary in LOCALES:
            return primary
    return DEFAULT_LOCALE


@dataclass(frozen=True)
class PersonChoice:
    """One big button on the login page."""

    pid: str
    name: str
    details: tuple[str, ...]  # short lines under the name, already in the page language


def describe_person(
    locale: str,
    *,
    birth_date: dt.date,
    today: dt.date,
    description: str,
    roles: Sequence[str] = (),
    hpr_number: str | None = None,
    personnel: bool = False,
) -> tuple[str, ...]:
    """The detail lines for a person button: role and HPR number for personnel,
    age and birth date plus the description for citizens."""
    lines: list[str] = []
    if personnel:
        role_names = [text(locale, f"roles.{role}") for role in roles]
        if role_names:
            lines.append(", ".join(role_names))
        if hpr_number:
            lines.append(t("provider.hpr", locale, hpr=hpr_number))
    else:
        lines.append(
            t("provider.age", locale, age=age_on(birth_date, today),
              date=birth_date.strftime("%d.%m.%Y"))
        )
    if description:
        lines.append(description)
    return tuple(lines)


def _e(value: object) -> str:
    return escape(str(value), quote=True)


_CSS = """
*,*::before,*::after{box-sizing:border-box}
html{font-size:100%;-webkit-text-size-adjust:100%}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;
font-size:1.0625rem;line-height:1.5;color:#1a1a1a;background:#f4f6f8}
.banner{background:#ffd84d;color:#1a1a1a;border-bottom:3px solid #1a1a1a;
padding:.75rem 1rem;text-align:center}
.banner strong{display:block;font-size:1.25rem;letter-spacing:.04em}
main{max-width:36rem;margin:0 auto;padding:1.25rem 1rem 3rem}
h1{font-size:1.625rem;line-height:1.25;margin:.5rem 0 .75rem}
h2{font-size:1.25rem;margin:2rem 0 .75rem}
p{margin:0 0 1rem}
.client{color:#40474d;font-size:1rem}
fieldset{border:0;padding:0;margin:0 0 1.5rem}
legend{font-weight:700;font-size:1.125rem;margin-bottom:.5rem;padding:0}
.choice{display:flex;align-items:center;gap:.75rem;min-height:48px;padding:.5rem .75rem;
margin-bottom:.5rem;background:#fff;border:2px solid #6b7680;border-radius:.5rem;
cursor:pointer}
.choice input{width:1.5rem;height:1.5rem;margin:0;accent-color:#005275;flex:none}
label.field{display:block;font-weight:700;font-size:1.125rem;margin-bottom:.25rem}
.hint{color:#40474d;font-size:1rem;margin:0 0 .5rem}
input[type=text]{display:block;width:100%;min-height:48px;font-size:1.25rem;
padding:.5rem .75rem;border:2px solid #40474d;border-radius:.5rem;background:#fff;
color:#1a1a1a;letter-spacing:.08em}
input[aria-invalid=true]{border-color:#b3261e;border-width:3px}
.error{color:#b3261e;font-weight:700;border-left:4px solid #b3261e;padding-left:.75rem;
margin:.25rem 0 .75rem}
button,.button{display:block;width:100%;min-height:48px;font:inherit;font-weight:700;
border-radius:.5rem;padding:.75rem 1rem;cursor:pointer;text-align:center;
text-decoration:none}
.primary{background:#005275;color:#fff;border:2px solid #005275;margin-top:1rem}
.primary:hover{background:#003d57}
.persons{list-style:none;margin:0;padding:0}
.persons li{margin:0 0 .75rem}
.person{background:#fff;color:#1a1a1a;border:2px solid #005275;text-align:left;
font-weight:400}
.person:hover{background:#e6f1f6}
.person .name{display:block;font-weight:700;font-size:1.125rem;color:#003d57}
.person .detail{display:block;color:#40474d;font-size:1rem}
.pid{display:block;font-variant-numeric:tabular-nums;color:#40474d;font-size:1rem}
.secondary{background:transparent;color:#003d57;border:2px solid transparent;
text-decoration:underline;margin-top:2rem}
:focus-visible{outline:3px solid #1a1a1a;outline-offset:2px;box-shadow:0 0 0 6px #ffd84d}
.choice:focus-within{outline:3px solid #1a1a1a;outline-offset:2px}
@media (min-width:40rem){main{padding-top:2rem}h1{font-size:2rem}}
@media (prefers-reduced-motion:reduce){*{transition:none!important}}
"""


def _document(locale: str, title: str, body: str, *, head_extra: str = "") -> str:
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{_e(locale)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="robots" content="noindex, nofollow">\n'
        f"<title>{_e(title)}</title>\n{head_extra}<style>{_CSS}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def _banner(locale: str, kind: str) -> str:
    return (
        '<header class="banner">'
        f"<strong>{_e(BANNER)}</strong>"
        f"<span>{_e(text(locale, f'{kind}_banner'))}</span></header>"
    )


def render_login_page(
    *,
    kind: str,
    locale: str,
    action: str,
    request_id: str,
    client_name: str,
    persons: Sequence[PersonChoice],
    acr_values: Sequence[str] = (),
    selected_acr: str | None = None,
    pid_value: str = "",
    error_key: str | None = None,
) -> str:
    """The login form. Buttons named `pick` carry a listed person's pid; the text field is
    `pid`. The text field's submit button comes first in the form, so pressing Enter in
    the field submits what was typed and not the first person in the list."""
    title = text(locale, f"{kind}_title")
    error = text(locale, error_key) if error_key else ""
    parts: list[str] = [
        _banner(locale, kind),
        "<main>",
        f"<h1>{_e(title)}</h1>",
        f"<p>{_e(text(locale, f'{kind}_intro'))}</p>",
        f'<p class="client">{_e(t("provider.to_client", locale, client=client_name))}</p>',
        f'<form method="post" action="{_e(action)}" novalidate>',
        f'<input type="hidden" name="request" value="{_e(request_id)}">',
    ]
    if acr_values:
        parts.append(f"<fieldset><legend>{_e(t('provider.level', locale))}</legend>")
        for index, acr in enumerate(acr_values):
            checked = " checked" if acr == selected_acr else ""
            label = text(locale, ACR_LABEL_KEYS.get(acr, acr)) if acr in ACR_LABEL_KEYS else acr
            parts.append(
                f'<label class="choice" for="acr-{index}">'
                f'<input type="radio" id="acr-{index}" name="acr" value="{_e(acr)}"{checked}>'
                f"<span>{_e(label)}</span></label>"
            )
        parts.append("</fieldset>")
    described = "pid-hint pid-error" if error else "pid-hint"
    invalid = ' aria-invalid="true"' if error else ""
    autofocus = " autofocus" if error else ""
    parts.append(f'<label class="field" for="pid">{_e(t("provider.pid_label", locale))}</label>')
    parts.append(f'<p class="hint" id="pid-hint">{_e(t("provider.pid_hint", locale))}</p>')
    if error:
        parts.append(
            f'<p class="error" id="pid-error">{_e(t("provider.error_prefix", locale))}: '
            f"{_e(error)}</p>"
        )
    parts.append(
        f'<input type="text" id="pid" name="pid" value="{_e(pid_value)}" inputmode="numeric" '
        f'autocomplete="off" spellcheck="false" maxlength="20" '
        f'aria-describedby="{described}"{invalid}{autofocus}>'
    )
    submit = _e(t("provider.submit", locale))
    parts.append(f'<button type="submit" class="primary">{submit}</button>')
    parts.append(f"<h2>{_e(text(locale, f'persons_{kind}'))}</h2>")
    if persons:
        parts.append('<ul class="persons">')
        for person in persons:
            details = "".join(f'<span class="detail">{_e(line)}</span>' for line in person.details)
            parts.append(
                f'<li><button type="submit" class="person" name="pick" '
                f'value="{_e(person.pid)}">'
                f'<span class="name">{_e(person.name)}</span>{details}'
                f'<span class="pid">{_e(person.pid)}</span></button></li>'
            )
        parts.append("</ul>")
    else:
        parts.append(f"<p>{_e(t('provider.no_persons', locale))}</p>")
    parts.append(
        f'<button type="submit" class="secondary" name="cancel" value="1">'
        f"{_e(t('provider.cancel', locale))}</button>"
    )
    parts.append("</form></main>")
    page_title = f"{t('provider.error_prefix', locale)}: {title}" if error else title
    return _document(locale, f"{page_title} – {BANNER}", "\n".join(parts))


def render_error_page(*, kind: str, locale: str, message_key: str, detail: str = "") -> str:
    """A dead end we show instead of redirecting somewhere unregistered."""
    title = t("provider.error_title", locale)
    body = "\n".join(
        [
            _banner(locale, kind),
            "<main>",
            f"<h1>{_e(title)}</h1>",
            f"<p>{_e(text(locale, message_key))}</p>",
            f'<p class="client">{_e(detail)}</p>' if detail else "",
            "</main>",
        ]
    )
    return _document(locale, f"{title} – {BANNER}", body)


def render_logout_page(
    *,
    kind: str,
    locale: str,
    frames: Sequence[tuple[str, str]],
    redirect_to: str | None,
    script_nonce: str,
) -> str:
    """Front-channel logout (OpenID Connect Front-Channel Logout 1.0): one hidden iframe
    per client, then on to the client. The window's load event waits for the iframes,
    so the script redirects only after every client has seen its logout URL."""
    title = t("provider.logout_title", locale)
    iframes = "".join(
        f'<iframe hidden src="{_e(src)}" '
        f'title="{_e(t("provider.frame_title", locale, client=client))}">'
        "</iframe>"
        for client, src in frames
    )
    parts = [_banner(locale, kind), "<main>", f"<h1>{_e(title)}</h1>"]
    head_extra = ""
    if redirect_to:
        parts.append(f"<p>{_e(t('provider.logout_redirecting', locale))}</p>")
        parts.append(
            f'<p><a class="button primary" id="continue" href="{_e(redirect_to)}">'
            f"{_e(t('provider.logout_continue', locale))}</a></p>"
        )
        # The script reads the URL from the link's href and never has it written into
        # its own text, so escaping for a JavaScript string is never needed.
        head_extra = (
            f'<script nonce="{_e(script_nonce)}">'
            "window.addEventListener('load',function(){setTimeout(function(){"
            "window.location.replace(document.getElementById('continue').href)},300)});"
            "</script>\n"
        )
    else:
        parts.append(f"<p>{_e(t('provider.logout_done', locale))}</p>")
    parts.append(iframes)
    parts.append("</main>")
    return _document(locale, f"{title} – {BANNER}", "\n".join(parts), head_extra=head_extra)
