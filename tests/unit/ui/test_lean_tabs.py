"""Lean tabs: the UI's words are compiled into the pages, not carried as state; a var is
assigned only when it changes; the card's charts send only her own points."""

from __future__ import annotations

import json
import re

import pytest
import reflex as rx

from digihelse.access.actors import Actor
from digihelse.core import db
from digihelse.core.i18n import LANGS, TEXTS, variants
from digihelse.core.timeutil import today_oslo
from digihelse.healthcard import service as card
from digihelse.healthcard.validation import ConsultationDraft
from digihelse.ui.components.charts import render_svg
from digihelse.ui.components.texts import T
from digihelse.ui.state.card_display import CHART_KEYS, chart_figure, chart_frames, display
from digihelse.ui.state.changes import assign
from digihelse.ui.state.session import SessionState, SubjectOption

BASE_KEYS = sorted(TEXTS)


def _literals(var: rx.Var) -> list[list[str]]:
    """The text arrays a compiled T("key") picks from, as JSON."""
    return [json.loads(found) for found in re.findall(r'\[(?:"(?:[^"\\]|\\.)*"(?:, )?){3}\]',
                                                        str(var))]


def test_the_session_state_carries_no_texts():
    assert "tr" not in SessionState.get_fields()
    assert "tr" not in SessionState.computed_vars
    own = SessionState(_reflex_internal_init=True).dict()[SessionState.get_full_name()]
    assert len(json.dumps(own, ensure_ascii=False, default=str)) < 2000


@pytest.mark.parametrize("key", BASE_KEYS)
def test_every_key_compiles_to_its_text_in_every_language(key):
    expression = str(T(key))
    assert [TEXTS[key][lang] for lang in ("nb", "nn", "en")] in _literals(T(key))
    # The default language comes first: it is what an unknown `lang` gets.
    assert expression.index(json.dumps(TEXTS[key]["nb"], ensure_ascii=False)) \
        <= expression.index(json.dumps(TEXTS[key]["en"], ensure_ascii=False))
    assert "lang_rx_state_" in expression


def test_role_wording_is_picked_by_the_role_var():
    expression = str(T("day.note"))
    assert "role_rx_state_" in expression and '"midwife"' in expression
    arrays = _literals(T("day.note"))
    assert [variants("day.note")["midwife"][lang] for lang in ("nb", "nn", "en")] in arrays
    assert [TEXTS["day.note"][lang] for lang in ("nb", "nn", "en")] in arrays
    assert "role_rx_state_" not in str(T("book.title"))  # no variant, no role test


def test_a_misspelt_key_fails_when_the_pages_compile():
    with pytest.raises(KeyError):
        T("book.titel")
    with pytest.raises(KeyError):
        T("day.note@midwife")  # a role's wording is reached through the role var


def test_the_lookup_picks_the_language_in_javascript():
    """Evaluate the compiled expression the way the browser would, with a stand-in for
    the state var: nb, nn, en, and bokmål for anything else."""
    import shutil
    import subprocess

    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    var = str(T("book.title")).replace(
        "reflex___state____state__digihelse___ui___state___session____session_state.lang_rx_state_",
        "lang")
    script = ";".join(f"lang={json.dumps(code)};console.log({var})"
                      for code in ("nb", "nn", "en", "xx", ""))
    out = subprocess.run([node, "-e", script], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    expected = [TEXTS["book.title"][lang] for lang in ("nb", "nn", "en")]
    assert out == [*expected, expected[0], expected[0]]


def test_assign_marks_only_changed_vars_dirty():
    state = SessionState(_reflex_internal_init=True)
    options = [SubjectOption("0", "Ida Berg (deg selv)", True)]
    assign(state, display_name="Ida Berg", subject_options=options, _pid="19891267447")
    assert {"display_name", "subject_options", "_pid"} <= state.dirty_vars
    state._clean()
    state.display_name = "Ida Berg"  # Reflex itself re-sends a var set to its own value
    assert state.dirty_vars == {"display_name"}
    state._clean()
    assign(state, display_name="Ida Berg", subject_options=list(options), _pid="19891267447")
    assert not state.dirty_vars
    assign(state, display_name="Ida B.", subject_options=options)
    assert state.dirty_vars == {"display_name"}


def test_the_card_charts_send_her_marks_and_the_page_has_the_rest(engine, seeded):
    lise = Actor(pid=seeded["lise"].nin, role="midwife", name="Lise Haugen",
                 hpr_number="9100004")
    nora = Actor(pid=seeded["nora"].nin, role="citizen", name="Nora Lie")
    card.record_consultation(engine, lise, nora.pid, ConsultationDraft(
        held_on=today_oslo(), weight_kg=72.0, bp_systolic=150, bp_diastolic=95,
        sf_height_cm=27.0))
    with db.session(engine):
        view = card.get_card(engine, nora, nora.pid)
    frames = chart_frames()
    for lang in LANGS:
        blocks = {b.key: b for b in display(view, lang, today_oslo()).charts}
        assert list(blocks) == list(CHART_KEYS)
        for key, block in blocks.items():
            head, tail = frames[key][lang]
            figure = chart_figure(key, view.charts, lang)
            # Frame + marks is the whole chart, in her language and with her values.
            assert head + block.marks + tail == render_svg(
                figure, f"chart-{key}", shared_y=key != "weight")
            assert "<polygon" not in block.marks and "<title" not in block.marks
    sf = {b.key: b for b in display(view, "nb", today_oslo()).charts}["sf"]
    assert sf.marks.count("<circle") == 1 and len(sf.marks) < 300
    assert "<polygon" in frames["sf"]["nb"][0] and "INTERGROWTH" in frames["sf"]["en"][0]
