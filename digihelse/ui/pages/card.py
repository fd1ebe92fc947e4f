"""The pregnancy health card: overview, charts, check-ups, the nine recommended
consultations and the woman's own notes. Print-friendly through a print stylesheet."""

import reflex as rx

from digihelse.core.i18n.families import keyed
from digihelse.healthcard.validation import NOTE_MAX
from digihelse.ui import routes
from digihelse.ui.components.client_actions import in_browser
from digihelse.ui.components.layout import T, loaded_or_error, shell
from digihelse.ui.components.links import anchor_link, page_link
from digihelse.ui.components.texts import by_lang
from digihelse.ui.state import card_display  # the rows' types, for the annotations
from digihelse.ui.state.card import CardState
from digihelse.ui.state.card_display import CHART_KEYS, CHART_TEXTS, SCHEDULE_STATES, chart_frames
from digihelse.ui.state.session import SessionState


def ending_box(state=CardState) -> rx.Component:
    """The pregnancy ended: the day, gently; that she can still read and print her card;
    where to get support; and (for her own card) whether her partner may see it."""
    own = state is CardState
    return rx.el.div(
        rx.el.p(rx.el.strong(state.ending_line), id="ending-line"),
        # A termination is on paper only if she ticks it beside Skriv ut.
        rx.el.p(state.ending_kind, id="ending-kind",
                class_name=rx.cond(state.ending_termination, "muted print-choice", "muted")),
        rx.fragment(
            rx.el.p(T("card.end.still_read"), class_name="no-print"),
            rx.el.p(T("card.end.support"), class_name="no-print", id="ending-support"),
            rx.el.p(T("card.call.emergency"), " ",
                    rx.el.a("113", href="tel:113", class_name="inline-link"),
                    class_name="no-print"),
            rx.cond(
                state.can_write_notes & ~state.acting_for_other,
                rx.cond(
                    state.ending_may_show,
                    rx.el.div(
                        rx.el.p(rx.cond(state.ending_shown, T("card.end.proxy_shown"),
                                        T("card.end.proxy_hidden")), class_name="small"),
                        rx.el.button(rx.cond(state.ending_shown, T("card.end.proxy_hide"),
                                             T("card.end.proxy_show")),
                                     type="button", id="ending-proxy",
                                     on_click=CardState.show_ending(~state.ending_shown),
                                     class_name="btn btn-secondary"),
                        class_name="no-print"),
                    rx.el.p(T("card.end.proxy_never"), class_name="small no-print"),
                ),
            ),
        ) if own else rx.fragment(),
        class_name="ending-box", id="ending",
    )


def overview(state=CardState) -> rx.Component:
    return rx.el.section(
        rx.cond(state.ending_line != "", ending_box(state)),
        rx.cond(state.ga_line != "",
                rx.el.p(rx.el.strong(state.ga_line), class_name="ga-line", id="ga-today")),
        rx.cond(state.due_line != "", rx.el.p(state.due_line, id="due-date")),
        rx.cond(state.dating_line != "", rx.el.p(state.dating_line, class_name="muted")),
        # The booking box below says it with the dates and a button; once is enough.
        rx.cond((state.book.state == "") & (state.next_line != ""),
                rx.el.p(state.next_line, id="next-consultation")),
        rx.foreach(state.carers, lambda line: rx.el.p(line, class_name="muted")),
        class_name="card overview",
        aria_label=T("card.overview.title"),
    )


# What each chart shows, in plain words under it, so no one has to know what a centile or
# a systolic pressure is.
_LEGENDS = {"sf": lambda: T("card.chart.legend.sf"), "bp": lambda: T("card.chart.legend.bp"),
            "weight": lambda: T("card.chart.legend.weight")}


def _chart(key: str, block: card_display.ChartBlock) -> rx.Component:
    """One chart: the frame and words compiled in (by language), her marks from state."""
    title_key, source_key, unit = CHART_TEXTS[key]
    frames = chart_frames()[key]
    head = by_lang({lang: frames[lang][0] for lang in frames})
    tail = by_lang({lang: frames[lang][1] for lang in frames})
    return rx.el.figure(
        rx.el.h3(T(title_key)),
        # At large text the chart grows wider than the phone, so its labels grow with the
        # text (WCAG 1.4.4); the box scrolls sideways and can be scrolled by keyboard.
        rx.html(head + block.marks + tail, class_name="chart-box", tab_index=0,
                role="group", aria_labelledby=f"chart-{key}-t"),
        rx.el.p(_LEGENDS[key](), class_name="small chart-legend"),
        rx.el.details(
            rx.el.summary(T("card.chart.table")),
            rx.el.table(
                rx.el.thead(rx.el.tr(rx.el.th(T("card.field.ga"), scope="col"),
                                     rx.el.th(unit, scope="col"),
                                     rx.el.th(T("card.field.note"), scope="col"))),
                rx.el.tbody(rx.foreach(block.table, lambda row: rx.el.tr(
                    rx.foreach(row, lambda cell: rx.el.td(cell))))),
                class_name="data-table",
            ),
        ),
        rx.el.figcaption(T(source_key), class_name="muted small") if source_key
        else rx.fragment(),
        class_name="card chart-card",
        id=f"chart-{key}",
    )


def charts(state=CardState) -> rx.Component:
    return rx.el.section(
        rx.el.h2(T("card.charts.title")),
        rx.cond(state.charts.length() == len(CHART_KEYS), rx.fragment(
            *[_chart(key, state.charts[index]) for index, key in enumerate(CHART_KEYS)])),
    )


def _consultation(row: card_display.ConsultationRow, state=CardState,
                  owner: bool = False) -> rx.Component:
    return rx.el.li(
        rx.el.h3(row.title),
        rx.foreach(row.lines, lambda line: rx.el.p(line)),
        rx.cond(row.author != "", rx.el.p(row.author, class_name="muted small")),
        rx.cond(row.hidden, rx.el.p(T("card.hidden.label"), class_name="small strong")),
        rx.cond(
            state.can_write_notes,
            rx.el.button(rx.cond(row.hidden, T("card.hidden.show"), T("card.hidden.hide")),
                         type="button", on_click=CardState.toggle_hidden(row.id, ~row.hidden),
                         class_name="btn btn-secondary space-top no-print"),
        ) if owner else rx.fragment(),
        class_name="card",
    )


def when_to_call(state=CardState) -> rx.Component:
    """When to call whom, as the paper card's back page says: 113 first, then the birth
    institution (day and night), then her midwife for what can wait."""
    return rx.el.section(
        rx.el.h2(T("card.call.title"), id="call-title"),
        rx.el.p(rx.el.strong(T("card.call.emergency")), " ",
                rx.el.a("113", href="tel:113", class_name="inline-link",
                        id="call-113")),
        rx.el.p(T("card.call.birth")),
        # Her birth institution is in Kontakter (no copy in the state: the tab stays lean).
        rx.el.p(anchor_link(T("card.call.birth_is"), href="#section-contacts",
                            id="birth-contact")),
        rx.el.p(T("card.call.midwife")),
        aria_labelledby="call-title", class_name="card call-box", id="when-to-call",
    )


def _what_the_values_mean() -> rx.Component:
    """The check-up's values in plain words, one tap away (the paper card's shorthand)."""
    return rx.el.details(
        rx.el.summary(T("card.explain.title")),
        rx.el.dl(*[rx.fragment(rx.el.dt(T(term)), rx.el.dd(T(text))) for term, text in (
            ("card.field.urine_protein", "card.explain.urine"),
            ("card.field.oedema", "card.explain.oedema"),
            ("card.field.sf_height_cm", "card.explain.sf"),
            ("card.explain.hb_term", "card.explain.hb"))], class_name="explain-list"),
        class_name="card no-print", id="values-explained",
    )


def timeline(state=CardState) -> rx.Component:
    owner = state is CardState
    return rx.el.section(
        rx.el.h2(T("card.consultations.title")),
        _what_the_values_mean(),
        rx.cond(
            state.consultations.length() > 0,
            rx.el.ol(rx.foreach(state.consultations,
                                lambda row: _consultation(row, state, owner)),
                     class_name="card-list", id="timeline"),
            rx.el.p(T("card.consultations.none")),
        ),
    )


def _history_row(row: card_display.HistoryRow) -> rx.Component:
    return rx.el.li(
        rx.el.p(rx.el.strong(row.what), " – ", row.when),
        rx.el.p(row.who, class_name="muted small"),
        rx.cond(row.reason != "", rx.el.p(row.reason, class_name="small")),
        class_name="history-row",
    )


def history(state=CardState) -> rx.Component:
    return rx.el.details(
        # Read when opened: most readers never do, and each read is in the access log.
        rx.el.summary(T("card.history.title"), on_click=state.show_history),
        rx.el.ul(rx.foreach(state.history, _history_row), class_name="plain-list",
                 id="history"),
        class_name="card no-print",
    )


def _schedule_row(row: card_display.ScheduleRow) -> rx.Component:
    return rx.el.li(
        rx.el.span(rx.match(row.state, ("done", "✓"), ("open", "●"), "○"),
                   class_name="schedule-mark", aria_hidden="true"),
        rx.el.span(
            rx.el.strong(row.label), rx.el.br(),
            rx.el.span(row.window, class_name="muted"), " – ",
            rx.el.span(rx.match(row.state, *[(state, T(keyed("card.schedule", state)))
                                             for state in SCHEDULE_STATES], ""),
                       class_name="schedule-state-" + row.state),
        ),
        class_name="schedule-row",
    )


def schedule(state=CardState) -> rx.Component:
    # None once the pregnancy ended (healthcard/ending.py).
    return rx.cond(state.ending_line == "", rx.el.section(
        rx.el.h2(T("card.schedule.title")),
        rx.el.ol(rx.foreach(state.schedule, _schedule_row), class_name="schedule",
                 id="schedule"),
    ))


def book_next() -> rx.Component:
    """"Neste kontroll": its week window and a big Bestill time, or the booked time."""
    box = CardState.book
    return rx.cond(
        box.state != "",
        rx.el.section(
            rx.el.h2(box.heading, id="book-next-title"),
            rx.cond(box.booked != "", rx.el.p(rx.el.strong(box.booked), id="booked-time")),
            rx.cond(box.window != "", rx.el.p(box.window)),
            rx.cond(box.carer != "", rx.el.p(box.carer, class_name="muted")),
            rx.cond(box.message != "", rx.el.p(box.message, class_name="notice")),
            rx.cond(
                box.can_book,
                rx.match(
                    box.state,
                    ("book", page_link(T("card.book.button"),
                                       href=routes.BOOK + "?svangerskap=1",
                                       class_name="btn btn-primary", id="book-consultation")),
                    ("booked", page_link(T("card.book.change"), href=routes.APPOINTMENTS,
                                         class_name="btn btn-secondary", id="change-booking")),
                    rx.fragment(),
                ),
            ),
            class_name="card book-next no-print",
            id="book-next",
            aria_labelledby="book-next-title",
        ),
    )


def _lab(row: card_display.LabRow, state=CardState) -> rx.Component:
    return rx.el.li(
        rx.el.div(rx.el.span(row.label, class_name="strong"),
                  rx.el.span(row.value, class_name="lab-value"), class_name="lab-head"),
        rx.el.p(row.when, class_name="muted small"),
        rx.cond(row.note != "", rx.el.p(row.note, class_name="small")),
        rx.cond(row.hidden & state.can_write_notes,
                rx.el.p(T("card.hidden.label"), class_name="small strong")),
        class_name="lab-row",
    )


def tests(state=CardState) -> rx.Component:
    """Test results (blood type, Hb, infections, ...) and the RhD-negative follow-up."""
    return rx.el.section(
        rx.el.h2(T("card.tests.title"), id="tests-title"),
        rx.cond(state.rhd_lines.length() > 0, rx.el.div(
            rx.el.h3(T("card.rhd.title")),
            rx.foreach(state.rhd_lines, lambda line: rx.el.p(line)),
            class_name="notice", id="rhd-followup")),
        rx.cond(state.labs.length() > 0,
                rx.el.ul(rx.foreach(state.labs, lambda row: _lab(row, state)),
                         class_name="card lab-list", id="lab-results"),
                rx.el.p(T("card.tests.empty"))),
        aria_labelledby="tests-title",
    )


def _section_block(block: card_display.SectionBlock, state=CardState) -> rx.Component:
    return rx.el.div(
        rx.el.h3(block.title),
        rx.foreach(block.lines, lambda line: rx.el.p(line)),
        # On screen always; on paper only if she ticks it beside Skriv ut.
        rx.cond(block.print_choice != "", rx.el.p(block.print_choice, class_name="print-choice")),
        rx.cond(block.hidden & state.can_write_notes,
                rx.el.p(T("card.hidden.label"), class_name="small strong")),
        class_name="card background-block",
        id="section-" + block.key,
    )


def background(state=CardState) -> rx.Component:
    """Before pregnancy, earlier pregnancies, illnesses, lifestyle and contacts; a partner
    sees only the sections she has not hidden."""
    return rx.el.section(
        rx.el.h2(T("card.background.title"), id="background-title"),
        rx.el.p(T("card.background.intro"), class_name="muted"),
        rx.foreach(state.background, lambda block: _section_block(block, state)),
        aria_labelledby="background-title",
        id="background",
    )


def _note(row: card_display.NoteRow, owner: bool = False) -> rx.Component:
    """One note; on her own card she can rewrite or delete it (asked once more)."""
    actions = rx.cond(
        CardState.can_write_notes & ~CardState.acting_for_other,
        rx.cond(
            CardState.confirm_delete_id == row.note_id,
            rx.el.div(
                rx.el.p(T("card.notes.delete_confirm"), class_name="strong"),
                rx.el.button(T("card.notes.delete_yes"), type="button",
                             on_click=CardState.delete_note, class_name="btn nurse-btn-danger"),
                rx.el.button(T("card.notes.delete_no"), type="button",
                             on_click=CardState.keep_note, class_name="btn btn-secondary"),
                class_name="confirm-box", role="group"),
            rx.el.div(
                rx.el.button(T("card.notes.edit"), type="button",
                             on_click=CardState.edit_note(row.note_id), class_name="btn-link"),
                rx.el.button(T("card.notes.delete"), type="button",
                             on_click=CardState.ask_delete_note(row.note_id),
                             class_name="btn-link"),
                class_name="note-actions no-print"),
        ),
    ) if owner else rx.fragment()
    return rx.el.li(rx.el.p(row.text), rx.el.p(row.when, class_name="muted small"), actions,
                    class_name="card")


def notes() -> rx.Component:
    return rx.el.section(
        rx.el.h2(T("card.notes.title")),
        rx.el.p(T("card.notes.visible_to_carers"), class_name="muted"),
        rx.cond(
            CardState.can_write_notes,
            rx.el.div(
                rx.el.label(T("card.notes.label"), html_for="own-note", class_name="field-label"),
                rx.el.textarea(id="own-note", value=CardState.note_text,
                               on_change=CardState.set_note_text, rows=3, max_length=NOTE_MAX,
                               class_name="textarea",
                               aria_describedby=rx.cond(CardState.note_error != "",
                                                        "note-error", "")),
                rx.cond(CardState.note_error != "",
                        rx.el.p(CardState.note_error, id="note-error", role="alert",
                                class_name="field-error")),
                rx.el.button(rx.cond(CardState.editing_note_id != 0, T("card.notes.save_edit"),
                                     T("card.notes.add")),
                             type="button", on_click=CardState.add_note,
                             class_name="btn btn-secondary space-top no-print"),
                rx.cond(CardState.editing_note_id != 0,
                        rx.el.button(T("card.notes.cancel_edit"), type="button",
                                     on_click=CardState.cancel_note_edit,
                                     class_name="btn-link space-top")),
                class_name="no-print",
            ),
        ),
        rx.cond(CardState.message != "",
                rx.el.p(CardState.message, role="status", class_name="notice")),
        note_list(),
    )


def note_list(state=CardState) -> rx.Component:
    return rx.cond(
        state.notes.length() > 0,
        rx.el.ul(rx.foreach(state.notes, lambda row: _note(row, state is CardState)),
                 class_name="card-list", id="notes"),
        rx.el.p(T("card.notes.empty")),
    )


def _today_in_browser() -> rx.Var:
    """The print date, made by the browser when it prints: nothing to keep in the tab."""
    lang = SessionState.lang
    return rx.Var(
        _js_expr=f"new Date().toLocaleDateString(({lang}) === 'en' ? 'en-GB' : "
                 f"({lang}) + '-NO', {{day: 'numeric', month: 'long', year: 'numeric'}})",
        _var_type=str, _var_data=lang._get_all_var_data()).to(str)


def card_page() -> rx.Component:
    return shell(
        rx.el.h1(T("card.overview.title")),
        loaded_or_error(
            CardState.loaded, CardState.error,
            rx.el.p(rx.el.strong(CardState.woman_name), rx.el.br(),
                    T("card.print.line", born=CardState.born, printed=_today_in_browser()),
                    class_name="print-only", id="print-head"),
            overview(),
            book_next(),
            # After an ending the box above says where to get help (and 113).
            rx.cond(CardState.ending_line == "", when_to_call()),
            # Only the woman herself shares her card (routes.SHARE).
            rx.cond(CardState.can_write_notes & ~CardState.acting_for_other,
                    rx.el.a(T("sharing.link"), href="/helsekort/del", id="share-link",
                            class_name="btn btn-secondary no-print share-link")),
            rx.cond(CardState.can_write_notes & ~CardState.acting_for_other
                    & (CardState.ending_line == ""),
                    rx.el.a(T("birth.link"), href=routes.BIRTH_PLAN, id="birth-plan-link",
                            class_name="btn btn-secondary no-print share-link")),
            # A question about the card, to her midwife (secure messages, issue 18).
            rx.cond(CardState.can_write_notes & ~CardState.acting_for_other,
                    rx.el.a(T("card.write_midwife"), href="/meldinger/ny?til=pregnancy",
                            id="write-midwife", class_name="btn btn-secondary no-print")),
            rx.el.label(rx.el.input(type="checkbox", id="print-terminations"), " ",
                        T("card.print.terminations"), class_name="check print-choice-toggle"),
            rx.el.button(T("card.print.button"), type="button",
                         on_click=in_browser("() => window.print()"),
                         class_name="btn btn-secondary no-print"),
            charts(),
            timeline(),
            schedule(),
            tests(),
            background(),
            # Her notes are between her and her carers: a partner never sees them.
            rx.cond(CardState.can_write_notes, notes()),
            history(),
        ),
    )
