"""The UI's words in the browser, compiled into the pages instead of sent as state.

`T("key")` is a Reflex Var: a JS expression that holds the message in every language (and
a role's own wording, msgctxt "midwife") and picks one by the `lang` and `role` state
vars. So the words arrive once, with the page's cached JS chunk, never over the
websocket; a language change re-renders them at once, and the prerendered HTML has the
default language's words on first paint. `T("home.hello", name=var)` fills a {name}
placeholder in the browser. Texts made on the server use `t()`."""

from __future__ import annotations

import json
from functools import cache

from reflex.vars.base import Var, VarData
from reflex.vars.sequence import StringVar

from digihelse.core.i18n import DEFAULT_LANG, LANGS, variants
from digihelse.ui.state.session import SessionState

# The languages after the default, in the order of the texts in a compiled array: JS
# `indexOf` gives -1 for the default and for anything unknown, so `+ 1` picks the default.
_OTHER_LANGS = [lang for lang in LANGS if lang != DEFAULT_LANG]
_ORDER = [DEFAULT_LANG, *_OTHER_LANGS]


def _pick(values: dict[str, str], lang_js: str) -> str:
    texts = json.dumps([values[lang] for lang in _ORDER], ensure_ascii=False)
    return f"{texts}[{json.dumps(_OTHER_LANGS)}.indexOf({lang_js}) + 1]"


def by_lang(values: dict[str, str]) -> StringVar:
    """One of these strings, picked by the page's language (any text compiled per
    language, e.g. a chart's frame)."""
    lang = SessionState.lang
    return Var(_js_expr=f"({_pick(values, str(lang))})", _var_type=str,
               _var_data=lang._get_all_var_data()).to(str)


def T(key: str, **values: str | Var) -> StringVar:
    """The message for the page's language and role, as a string Var; each {name} in it
    replaced by `values["name"]` (a Var or a string)."""
    text = _text_var(key)
    for name, value in values.items():
        text = text.replace("{" + name + "}", value)
    return text


@cache
def _text_var(key: str) -> StringVar:
    by_role = variants(key)  # a typo raises KeyError when the pages compile
    lang, role = SessionState.lang, SessionState.role
    expression = _pick(by_role[None], str(lang))
    var_data = [lang._get_all_var_data()]
    if len(by_role) > 1:
        var_data.append(role._get_all_var_data())
    for name, texts in by_role.items():
        if name is not None:
            expression = f"({role} === {json.dumps(name)} ? {_pick(texts, str(lang))} " \
                         f": {expression})"
    return Var(_js_expr=f"({expression})", _var_type=str,
               _var_data=VarData.merge(*var_data)).to(str)
