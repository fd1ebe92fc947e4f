"""Free text keeps what people wrote and loses what hides or reorders it."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from digihelse.core.text import optional_text, plain_text


def test_hidden_controls_go_and_words_stay():
    assert plain_text("Hei\u0000 du\u202e gnp.exe") == "Hei du gnp.exe"
    assert plain_text("  linje 1\r\nlinje 2\t \u2066x\u2069 ") == "linje 1\nlinje 2\t x"
    assert plain_text("Ærlig talt 👩\u200d👧 😊") == "Ærlig talt 👩\u200d👧 😊"
    assert plain_text("e\u0301") == "é"  # one form (NFC), as typed on any phone
    assert optional_text("\u0000 \u202e") is None and optional_text(None) is None


@given(st.text())
def test_no_control_or_override_survives_and_cleaning_twice_changes_nothing(raw):
    clean = plain_text(raw)
    assert plain_text(clean) == clean
    assert not [c for c in clean if (ord(c) < 32 and c not in "\n\t") or 0x7f <= ord(c) <= 0x9f
                or c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"]
