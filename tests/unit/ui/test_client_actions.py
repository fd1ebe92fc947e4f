"""What the server asks of the browser is data for code in the bundle, never a script:
no rx.call_script anywhere (the policy has no 'unsafe-eval'), and a page load goes only to
a path of this app."""

from __future__ import annotations

import json
import pathlib

import pytest

from digihelse.ui.state import client_actions as client

APP = pathlib.Path(client.__file__).resolve().parents[2]


def test_no_code_sends_a_script_for_the_browser_to_eval():
    offenders = [str(p.relative_to(APP)) for p in APP.rglob("*.py")
                 if "call_script(" in p.read_text()]
    assert offenders == []


def test_steps_are_encoded_in_order_with_a_fresh_nonce():
    first = json.loads(client.encode((client.FOCUS, "step-heading")))
    second = json.loads(client.encode((client.FOCUS, "step-heading")))
    assert first["do"] == [["focus", "step-heading"]]
    assert first["n"] != second["n"]  # the same steps asked twice are taken twice
    both = json.loads(client.encode((client.ASSIGN, "/hjem?x=1"),
                                    (client.RELOAD_IF_UNTOUCHED, "")))
    assert both["do"] == [["assign", "/hjem?x=1"], ["reload_if_untouched", ""]]


@pytest.mark.parametrize("url", ["https://evil.example/", "//evil.example/x", "/\\evil",
                                 "javascript:alert(1)", "hjem"])
def test_a_page_load_goes_only_to_our_own_paths(url: str):
    with pytest.raises(ValueError):
        client.encode((client.ASSIGN, url))
    with pytest.raises(ValueError):
        client.encode((client.REPLACE, url))


def test_an_unknown_step_is_refused():
    with pytest.raises(ValueError):
        client.encode(("eval", "alert(1)"))
