"""The UI's words in the browser, compiled into the pages instead of sent as state.

`T["key"]` is a Reflex Var: a JS expression that holds the key's text in every language
(and a role's own wording, "day.note@midwife") and picks one by the `lang` and `role`
state vars. So the words arrive once, with the page's cached JS chunk, never over the
websocket; a language change re-renders them at once, and the prerendered HTML has the
default language's words on first paint. Texts made on the server use `t()`."""

from __future__ import annotations

import json
from functools import cache

from reflex.vars.base import Var, VarData
from reflex.vars.sequence import StringVar

from digihelse.core.i18n import DEFAULT_LANG, LANGS, ROLE_MARK, TEXTS
from digihelse.ui.state.session import SessionState

# The languages after the default, in the order of the texts in a compiled array: JS
# `indexOf` gives -1 for the default and for anything unknown, so `+ 1` picks the default.
_OTHER_LANGS = [lang for lang in LANGS if lang != DEFAULT_LANG]
_ORDER = [DEFAULT_LANG, *_OTHER_LANGS]


def _roles_of(key: str) -> list[str]:
    """The roles with their own wording of a key, in a stable order."""
    prefix = f"{key}{ROLE_MARK}"
    return sorted(k.removeprefix(prefix) for k in TEXTS if k.startswith(prefix))


def _pick(key: str, lang_js: str) -> str:
    texts = json.dumps([TEXTS[key][lang] for lang in _ORDER], ensure_ascii=False)
    return f"{texts}[{json.dumps(_OTHER_LANGS)}.indexOf({lang_js}) + 1]"


def by_lang(values: dict[str, str]) -> StringVar:
    """One of these strings, picked by the page's language (any text compiled per
    language, e.g. a chart's frame)."""
    lang = SessionState.lang
    texts = json.dumps([values[code] for code in _ORDER], ensure_ascii=False)
    return Var(_js_expr=f"({texts}[{json.dumps(_OTHER_LANGS)}.indexOf({lang}) + 1])",
               _var_type=str, _var_data=lang._get_all_var_data()).to(str)


class PageTexts:
    """`T["key"]`: the text for the page's language and role, as a string Var."""

    def __getitem__(self, key: str) -> StringVar:
        return _text_var(key)


@cache
def _text_var(key: str) -> StringVar:
    if key not in TEXTS or ROLE_MARK in key:
        raise KeyError(f"no UI text {key!r}")  # a typo fails when the pages compile
    lang, role = SessionState.lang, SessionState.role
    expression = _pick(key, str(lang))
    var_data = [lang._get_all_var_data()]
    roles = _roles_of(key)
    if roles:
        var_data.append(role._get_all_var_data())
    for name in roles:
        variant = _pick(f"{key}{ROLE_MARK}{name}", str(lang))
        expression = f"({role} === {json.dumps(name)} ? {variant} : {expression})"
    return Var(_js_expr=f"({expression})", _var_type=str,
               _var_data=VarData.merge(*var_data)).to(str)


T = PageTexts()
