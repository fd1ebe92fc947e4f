"""The browser's side of ui/state/client_actions.py: a component on every page that
takes the steps a server event named, and keeps <html lang> on the page's language.

The code is compiled into the bundle the policy's 'self' allows; what arrives from the
server is data (step names and their arguments), never code."""

from __future__ import annotations

import reflex as rx
from reflex_base.vars import FunctionStringVar, Var, VarData

from digihelse.ui.state.client_actions import ASSIGN, FOCUS, RELOAD_IF_UNTOUCHED, REPLACE
from digihelse.ui.state.session import SessionState

# Only a path of this app is loaded (the server checks it too); a focus target that is
# not there is left alone. "Untouched": nothing typed or ticked in <main>, so a reload
# after a language change throws nothing away.
_TAKE_STEPS = """
useEffect(() => {
  const raw = __ACTION__;
  if (!raw || window.__digihelseStep === raw) return;
  window.__digihelseStep = raw;  // once, even if another page's copy mounts
  let steps = [];
  try { steps = JSON.parse(raw).do || []; } catch (e) { return; }
  const ownPath = (url) => typeof url === "string" && url.startsWith("/")
    && !url.startsWith("//") && !url.includes("\\\\");
  for (const [step, arg] of steps) {
    if (step === "__ASSIGN__" && ownPath(arg)) window.location.assign(arg);
    else if (step === "__REPLACE__" && ownPath(arg)) window.location.replace(arg);
    else if (step === "__FOCUS__") setTimeout(() => document.getElementById(arg)?.focus(), 0);
    else if (step === "__RELOAD__") {
      const typed = [...document.querySelectorAll("main input, main textarea")].some(el =>
        el.type === "checkbox" || el.type === "radio" ? el.checked !== el.defaultChecked
                                                      : el.value !== el.defaultValue);
      if (!typed) window.location.reload();
    }
  }
}, [__ACTION__]);
"""

_SET_LANG = """
useEffect(() => {
  if (__LANG__) document.documentElement.lang = __LANG__;
}, [__LANG__]);
"""


def _code(template: str, **values: object) -> str:
    for name, value in values.items():
        template = template.replace(f"__{name}__", str(value))
    return template


class ClientActions(rx.Fragment):
    """Renders nothing; its hooks do the work."""

    def add_imports(self):
        return {"react": ["useEffect"]}

    def add_hooks(self) -> list[str | Var]:
        action, lang = SessionState.client_action, SessionState.lang
        return [
            Var(_code(_TAKE_STEPS, ACTION=action, ASSIGN=ASSIGN, REPLACE=REPLACE, FOCUS=FOCUS,
                      RELOAD=RELOAD_IF_UNTOUCHED),
                _var_data=VarData.merge(action._get_all_var_data())),
            Var(_code(_SET_LANG, LANG=lang), _var_data=VarData.merge(lang._get_all_var_data())),
        ]


client_actions = ClientActions.create


def in_browser(arrow_function: str) -> rx.event.EventSpec:
    """An event trigger that runs this JavaScript function in the browser. Its source is
    compiled into the bundle (unlike rx.call_script, which the browser would eval())."""
    return rx.call_function(FunctionStringVar.create(arrow_function))
