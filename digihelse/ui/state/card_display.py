"""Turns the pregnancy card service's CardView into plain display rows and SVG charts for
the pages, in the reader's language. No Reflex here: the states call it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

from digihelse.booking.pregnancy import PregnancyBookingOptions
from digihelse.core.i18n import LANGS, is_message, t, tn
from digihelse.core.i18n.families import keyed
from digihelse.core.i18n.formatting import (
    clock,
    day_month,
    long_date,
    number,
    weekday_day_month,
)
from digihelse.core.timeutil import to_oslo
from digihelse.healthcard.dating import CrossCheck
from digihelse.healthcard.guard import PREVIOUS_NEVER_TO_PROXY
from digihelse.healthcard.models import LabKind, Section
from digihelse.healthcard.reference import Charts
from digihelse.healthcard.reference import charts as reference_charts
from digihelse.healthcard.service import (
    Background,
    CardView,
    ConsultationView,
    FollowUp,
    LabResultView,
    VersionView,
)
from digihelse.healthcard.validation import (
    CONTACT_TEXTS,
    HABIT_CHOICES,
    HEALTH_TEXTS,
    LIFESTYLE_HABITS,
    LIFESTYLE_TIMES,
    PREVIOUS_COUNTS,
)
from digihelse.people.nin import parse_nin
from digihelse.ui.components.charts import (
    BRAND,
    Band,
    Chart,
    Series,
    render_frame,
    render_marks,
)
from digihelse.ui.presenters.card_sections import HEALTH_LISTS, POC, section_lines


@dataclass
class ConsultationRow:
    id: int
    title: str  # "12. januar – uke 27+3"
    lines: list[str]
    author: str
    hidden: bool  # hidden from those the woman gave fullmakt


@dataclass
class HistoryRow:
    when: str
    what: str  # "Kontroll: Endret"
    who: str  # "Lise Haugen, jordmor, HPR 9100004, Fjordvik kommune"
    reason: str


SCHEDULE_STATES = ("done", "open", "upcoming", "missed")


@dataclass
class ScheduleRow:
    label: str
    window: str
    state: str  # SCHEDULE_STATES; the page words it


@dataclass
class NoteRow:
    kind: str
    text: str
    when: str
    note_id: int = 0


@dataclass
class LabRow:
    id: int
    label: str  # "Hb, første trimester"
    value: str  # "11,8 g/dL", "Negativ", "O"
    when: str  # "3. september – uke 10+2"
    note: str
    hidden: bool  # hidden from those the woman gave fullmakt


@dataclass
class SectionBlock:
    """One background section ("Før svangerskapet", "Levevaner", ...) as label: value lines."""

    key: str  # a Section value
    title: str
    lines: list[str]
    hidden: bool  # the woman hides it from those she gave fullmakt
    # A line printed only if she ticks it at print time (induced abortions), else "".
    print_choice: str = ""


@dataclass
class ChartBlock:
    """One chart of the card as state: her marks and the same values as a table. The rest
    (frame, bands, axes, words) the page compiles in per language: chart_frames()."""

    key: str
    marks: str  # SVG elements: her points and lines
    table: list[list[str]]


# Per chart: the text keys of its title and description, its unit, and whether its y axis
# is the same on every card (the weight chart's follows her values).
CHART_KEYS = ("sf", "bp", "weight")
CHART_TEXTS = {"sf": ("card.chart.sf", "card.chart.sf_source", "cm"),
               "bp": ("card.chart.bp", "card.chart.bp_limit", "mmHg"),
               "weight": ("card.chart.weight", "", "kg")}
_SHARED_Y = {"sf": True, "bp": True, "weight": False}


@dataclass
class BookBox:
    """The card's "Neste kontroll" box: book it, or the time already booked."""

    state: str = ""  # "" (nothing to show), book, booked, no_times, no_midwife
    heading: str = ""  # "Neste kontroll: Uke 28"
    window: str = ""  # "Anbefalt mellom 13. november og 10. desember."
    carer: str = ""  # "Hos jordmor Lise Haugen, Fjordvik helsestasjon."
    booked: str = ""  # "Du har time onsdag 25. november kl. 10.00."
    message: str = ""  # no midwife, or no free times
    can_book: bool = False


def when_text(start: dt.datetime, lang: str) -> str:
    """"onsdag 25. november kl. 10.00" (Oslo time)."""
    return f"{weekday_day_month(to_oslo(start).date(), lang)} {t('time.at', lang)} {clock(start)}"


def book_box(options: PregnancyBookingOptions, lang: str, own: bool, name: str) -> BookBox:
    """What the card says about booking the next consultation, for her or (own False)
    for the partner who looks at it with her fullmakt."""
    visit_key = options.booked.visit_key if options.booked and options.booked.visit_key \
        else (options.visit.key if options.visit else None)
    heading = t("card.book.next", lang, visit=t(keyed("card.visit", visit_key), lang)) \
        if visit_key else ""
    window = ""
    if options.visit is not None:
        window = t("card.book.window", lang, first=day_month(options.visit.window_start, lang),
                   last=day_month(options.visit.window_end, lang))
    place = options.places[0].name if options.places else ""
    carer = t("card.book.with", lang, name=options.midwife_name, place=place) \
        if options.midwife_name and place else ""
    state = options.state
    box = BookBox(state, heading, window, carer, can_book=options.can_book and own)
    if state == "booked" and options.booked is not None:
        when = when_text(options.booked.start_at, lang)
        box.booked = t("card.book.booked", lang, when=when) if own else \
            t("card.book.booked_for", lang, name=name.split()[0], when=when)
        box.window = ""
        box.carer = t("card.book.with", lang, name=options.booked.midwife_name,
                      place=options.booked.place_name)
    elif state == "no_midwife":
        box.message, box.carer = t("card.book.gp_only", lang), ""
    elif state == "no_times":
        box.message = t("card.book.no_times", lang)
    elif state == "no_visit":
        return BookBox()
    return box


@dataclass
class CardDisplay:
    woman_name: str
    born: str  # "12. mars 1996", her birth date for the printout
    ga_line: str  # "uke 27+3 i dag — termin 10. februar"
    due_line: str
    dating_line: str
    next_line: str
    carers: list[str]
    consultations: list[ConsultationRow]
    schedule: list[ScheduleRow]
    notes: list[NoteRow]
    charts: list[ChartBlock]
    can_edit: bool
    can_write_notes: bool
    labs: list[LabRow]
    background: list[SectionBlock]
    rhd_lines: list[str]  # the RhD-negative follow-up, when her blood type is RhD negative
    # --- When the pregnancy ended (healthcard/ending.py): "" while it goes on ---
    ending_line: str = ""  # "Svangerskapet ble avsluttet 3. desember."
    ending_kind: str = ""  # "Hvordan: Spontanabort" (a termination prints only if ticked)
    ending_termination: bool = False
    ending_may_show: bool = False  # she may show it to those she gave fullmakt
    ending_shown: bool = False
    # Personnel only: the app's own due date from the scan, as a cross-check (issue #20).
    cross_check_line: str = ""


def ending_texts(card: CardView, lang: str) -> tuple[str, str]:
    """The ending's gentle line and its kind, in the reader's language; ("", "") without."""
    ending = card.ending
    if ending is None:
        return "", ""
    key = "card.end.line_birth" if ending.kind == "birth" else "card.end.line"
    how = t("card.end.how", lang)
    return (t(key, lang, date=day_month(ending.ended_on, lang)),
            f"{how}: {t(ending.kind_key, lang)}")


def _text(key: str, lang: str, fallback: str = "", **values: object) -> str:
    return t(key, lang, **values) if is_message(key) else fallback


def _num(value: float | None, lang: str, decimals: int = 1) -> str:
    return "" if value is None else number(value, lang, decimals)


def consultation_row(c: ConsultationView, lang: str) -> ConsultationRow:
    lines = []
    if c.weight_kg is not None:
        lines.append(f"{t('card.field.weight_kg', lang)}: {_num(c.weight_kg, lang)}")
    if c.bp_systolic is not None and c.bp_diastolic is not None:
        lines.append(f"{t('card.field.bp', lang)}: {c.bp_systolic}/{c.bp_diastolic}")
    if c.urine_protein:
        lines.append(f"{t('card.field.urine_protein', lang)}: "
                     f"{_text(keyed('card.urine', c.urine_protein, ''), lang, c.urine_protein)}")
    if c.oedema is not None:
        lines.append(f"{t('card.field.oedema', lang)}: {c.oedema}")
    if c.sf_height_cm is not None:
        lines.append(f"{t('card.field.sf_height_cm', lang)}: {_num(c.sf_height_cm, lang)}")
    for fetus in c.fetuses:
        parts = []
        if fetus.heart_rate is not None:
            parts.append(f"{t('card.field.heart_rate', lang)} {fetus.heart_rate}")
        if fetus.presentation:
            parts.append(_text(keyed("card.presentation", fetus.presentation, ""), lang,
                               fetus.presentation))
        if fetus.movements is not None:
            parts.append(f"{t('card.field.movements', lang)}: "
                         f"{t('card.value.pos' if fetus.movements else 'card.value.neg', lang)}")
        if parts:
            prefix = f"{t('card.field.fetus', lang)} {fetus.fetus_no}: " if len(c.fetuses) > 1 \
                else ""
            lines.append(prefix + ", ".join(parts))
    if c.note:
        lines.append(c.note)
    author = ""
    if c.author is not None:
        role = _text(keyed("role", c.author.role, ""), lang, c.author.role)
        author = f"{c.author.name}, {role}"
    title = f"{day_month(c.held_on, lang)} – {t('card.field.ga', lang)} {c.ga_text}"
    return ConsultationRow(c.id, title, lines, author, c.hidden_from_proxy)


def lab_value(lab: LabResultView, lang: str) -> str:
    """"11,8 g/dL" for a number, the word for a choice ("Negativ", "Gitt"), else as given."""
    if lab.value_num is not None:
        shown = number(lab.value_num, lang)
        return f"{shown} {lab.unit}" if lab.unit else shown
    return _text(keyed("card.value", lab.value, ""), lang, lab.value)


def lab_rows(labs: tuple[LabResultView, ...], lang: str) -> list[LabRow]:
    """Test results, newest first; on one day in the card's order (blood type first)."""
    order = {kind.value: index for index, kind in enumerate(LabKind)}
    rows = []
    for lab in sorted(labs, key=lambda x: (-x.taken_on.toordinal(), order.get(x.kind, 99))):
        when = day_month(lab.taken_on, lang)
        if lab.ga_text:
            when += f" – {t('card.field.ga', lang)} {lab.ga_text}"
        rows.append(LabRow(lab.id, _text(lab.label_key, lang, lab.kind), lab_value(lab, lang),
                           when, lab.note, lab.hidden_from_proxy))
    return rows


def _line(label_key: str, value: object, lang: str) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        value = t("card.habit.yes", lang) if value else t("card.habit.no", lang)
    elif isinstance(value, float):
        value = number(value, lang)  # "168", "21,8"
    return f"{t(label_key, lang)}: {value}"


def background_blocks(bg: Background, lang: str, *, proxy: bool) -> list[SectionBlock]:
    """The background sections the viewer may see (a partner never gets the hidden ones),
    each with its filled-in lines; an empty section says so rather than disappearing."""
    blocks: list[tuple[Section, list[str | None]]] = []
    if not (proxy and Section.BEFORE_PREGNANCY in bg.hidden):
        blocks.append((Section.BEFORE_PREGNANCY, [
            _line("card.field.height_cm", bg.height_cm, lang),
            _line("card.field.weight_before_kg", bg.weight_before_kg, lang),
            _line("card.field.bmi", bg.bmi, lang)]))
    choice = ""
    if bg.previous_pregnancies is not None:
        previous = bg.previous_pregnancies
        blocks.append((Section.PREVIOUS_PREGNANCIES, [
            *(_line(keyed("card.previous", key), previous.get(key), lang)
              for key in (*PREVIOUS_COUNTS, "notes") if key != PREVIOUS_NEVER_TO_PROXY)]))
        choice = _line(keyed("card.previous", PREVIOUS_NEVER_TO_PROXY),
                       previous.get(PREVIOUS_NEVER_TO_PROXY), lang) or ""
    if bg.health is not None:
        blocks.append((Section.HEALTH, [
            *(_line(keyed("card.health", key), bg.health.get(key), lang)
              for key in (*HEALTH_TEXTS, "folate")),
            # Medical conditions, medication, genetic disorders (healthcard/sections.py).
            *(line for column in HEALTH_LISTS
              for line in section_lines(column, getattr(bg, column), lang))]))
    if bg.lifestyle is not None:
        lines: list[str | None] = []
        for time in LIFESTYLE_TIMES:
            entry = bg.lifestyle.get(time) or {}
            parts = [f"{t(keyed('card.lifestyle', habit), lang).lower()} "
                     f"{t(keyed('card.habit', entry[habit]), lang).lower()}"
                     for habit in LIFESTYLE_HABITS if entry.get(habit) in HABIT_CHOICES]
            parts += [str(entry[key]) for key in ("activity", "notes") if entry.get(key)]
            if parts:
                lines.append(f"{t(keyed('card.lifestyle', time), lang)}: {', '.join(parts)}")
        blocks.append((Section.LIFESTYLE, lines))
    if bg.contacts is not None:
        blocks.append((Section.CONTACTS, [
            *section_lines(POC, bg.points_of_contact, lang),
            *(_line(keyed("card.contact", key), bg.contacts.get(key), lang)
              for key in CONTACT_TEXTS)]))
    result = []
    for section, raw in blocks:
        own = choice if section == Section.PREVIOUS_PREGNANCIES else ""
        lines = [line for line in raw if line] or ([] if own else
                                                   [t("card.section.empty", lang)])
        result.append(SectionBlock(section.value, t(keyed("card.section", section.value), lang),
                                   lines, section.value in bg.hidden, own))
    return result


def rhd_lines(followup: tuple[FollowUp, ...], lang: str) -> list[str]:
    """"Fosterets RhD-type, uke 24: 5. januar – Negativ" or "... – innen 5. januar"."""
    lines = []
    for step in followup:
        if step.done_on is not None:
            result = _text(keyed("card.value", step.result, ""), lang, step.result or "")
            status = f"{day_month(step.done_on, lang)} – {result}"
        else:
            status = t("card.rhd.due", lang, date=day_month(step.due_on, lang))
        lines.append(f"{t(keyed('card.rhd', step.key), lang)}: {status}")
    return lines


def history_rows(versions: list[VersionView], lang: str) -> list[HistoryRow]:
    rows = []
    for v in sorted(versions, key=lambda v: v.at, reverse=True):
        who = ", ".join(part for part in (
            v.author.name, _text(keyed("role", v.author.role, ""), lang, v.author.role),
            f"HPR {v.author.hpr_number}" if v.author.hpr_number else "",
            v.author.organisation or "") if part)
        what = (f"{_text(keyed('card.entity', v.entity, ''), lang, v.entity)}: "
                f"{_text(keyed('card.action', v.action, ''), lang, v.action)}")
        when = f"{day_month(to_oslo(v.at).date(), lang)} {clock(v.at)}"
        reason = f"{t('card.history.reason', lang)}: {v.reason}" if v.reason else ""
        rows.append(HistoryRow(when, what, who, reason))
    return rows


def _sf_figure(charts: Charts, lang: str) -> Chart:
    sf = charts.sf
    reference = sf.reference
    band_outer = Band("3–97", [(r.week, r.centiles[3]) for r in reference],
                      [(r.week, r.centiles[97]) for r in reference], colour="#e4eff3")
    band_inner = Band("10–90", [(r.week, r.centiles[10]) for r in reference],
                      [(r.week, r.centiles[90]) for r in reference])
    median = Series("50", [(r.week, r.centiles[50]) for r in reference], colour="#4a4a4a",
                    dashed=True, markers=False, reference=True)
    points = Series(t("card.chart.sf", lang), [(p.ga_weeks, p.value) for p in sf.points])
    return Chart(t("card.chart.sf", lang), t("card.chart.sf_source", lang),
                 t("card.field.ga", lang), "cm", (24, 40), (15, 45),
                 series=[median, points], bands=[band_outer, band_inner],
                 x_ticks=(24, 28, 32, 36, 40), y_ticks=(20, 30, 40))


def _sf_rows(charts: Charts, lang: str) -> list[list[str]]:
    return [[p.ga_text, _num(p.value, lang),
             _text(keyed("card.flag", p.flag, ""), lang) if p.flag else ""]
            for p in charts.sf.points]


def _bp_figure(charts: Charts, lang: str) -> Chart:
    bp = charts.bp
    return Chart(t("card.chart.bp", lang), t("card.chart.bp_limit", lang),
                 t("card.field.ga", lang), "mmHg", (4, 42), (40, 180),
                 series=[Series(t("card.field.bp_systolic", lang),
                                [(p.ga_weeks, p.value) for p in bp.systolic]),
                         Series(t("card.field.bp_diastolic", lang),
                                [(p.ga_weeks, p.value) for p in bp.diastolic],
                                colour="#0b6e4f"),
                         *_home_series(lang, (bp.home_systolic, BRAND),
                                       (bp.home_diastolic, "#0b6e4f"))],
                 limits=[(str(bp.systolic_limit), bp.systolic_limit),
                         (str(bp.diastolic_limit), bp.diastolic_limit)],
                 x_ticks=(8, 16, 24, 32, 40), y_ticks=(60, 90, 120, 150))


def _bp_rows(charts: Charts, lang: str) -> list[list[str]]:
    bp = charts.bp
    rows = [[s.ga_text, f"{_num(s.value, lang, 0)}/{_num(d.value, lang, 0)}",
             _text(keyed("card.flag", s.flag or d.flag, ""), lang)
             if (s.flag or d.flag) else ""]
            for s, d in zip(bp.systolic, bp.diastolic, strict=False)]
    return _with_home(rows, bp.systolic, [
        ([s.ga_text, f"{_num(s.value, lang, 0)}/{_num(d.value, lang, 0)}",
          ", ".join(x for x in (t("card.home.marked", lang),
                                _text(keyed("card.flag", s.flag, ""), lang) if s.flag else "")
                    if x)], s)
        for s, d in zip(bp.home_systolic, bp.home_diastolic, strict=False)])


# --- Her own readings at home in the charts ("målt selv"): dashed, with open rings ---------

def _home_series(lang: str, *parts: tuple[list, str]) -> list[Series]:
    return [Series(t("card.home.marked", lang), [(p.ga_weeks, p.value) for p in points],
                   colour=colour, dashed=True, hollow=True) for points, colour in parts]


def _with_home(rows: list[list[str]], points: list, home: list[tuple[list[str], object]]
               ) -> list[list[str]]:
    """The consultations' rows and hers from home in one table, in the order of the
    pregnancy (a consultation first on the same day)."""
    if not home:
        return rows
    keyed_rows = [((p.ga_days, 0), row) for p, row in zip(points, rows, strict=False)]
    keyed_rows += [((p.ga_days, 1), row) for row, p in home]
    return [row for _key, row in sorted(keyed_rows, key=lambda item: item[0])]


def _weight_figure(charts: Charts, lang: str) -> Chart:
    points = charts.weight.points
    values = [p.value for p in points + charts.weight.home] or [60.0]
    low, high = min(values) - 5, max(values) + 5
    return Chart(t("card.chart.weight", lang), t("card.chart.weight", lang),
                 t("card.field.ga", lang), "kg", (4, 42), (int(low), int(high) + 1),
                 series=[Series(t("card.chart.weight", lang),
                                [(p.ga_weeks, p.value) for p in points]),
                         *_home_series(lang, (charts.weight.home, BRAND))],
                 x_ticks=(8, 16, 24, 32, 40),
                 y_ticks=tuple(range(int(low) // 5 * 5 + 5, int(high) + 1, 5)))


def _weight_rows(charts: Charts, lang: str) -> list[list[str]]:
    weight = charts.weight
    return _with_home([[p.ga_text, _num(p.value, lang), ""] for p in weight.points],
                      weight.points, [([p.ga_text, _num(p.value, lang),
                                        t("card.home.marked", lang)], p) for p in weight.home])


_FIGURES = {"sf": (_sf_figure, _sf_rows), "bp": (_bp_figure, _bp_rows),
            "weight": (_weight_figure, _weight_rows)}


def chart_figure(key: str, charts: Charts, lang: str) -> Chart:
    return _FIGURES[key][0](charts, lang)


def chart_blocks(charts: Charts, lang: str) -> list[ChartBlock]:
    return [ChartBlock(key, render_marks(chart_figure(key, charts, lang),
                                         shared_y=_SHARED_Y[key]),
                       _FIGURES[key][1](charts, lang))
            for key in CHART_KEYS]


@cache
def chart_frames() -> dict[str, dict[str, tuple[str, str]]]:
    """Each chart's frame (what goes before and after her marks) in each language: the
    same on every card, so the page compiles it in."""
    empty = reference_charts([])
    return {key: {lang: render_frame(chart_figure(key, empty, lang), f"chart-{key}",
                                     shared_y=_SHARED_Y[key])
                  for lang in LANGS}
            for key in CHART_KEYS}


def cross_check_line(check: CrossCheck | None, lang: str) -> str:
    """The app's due date beside the hospital's, said as a cross-check (never a second
    due date): "" for anyone but personnel, who alone get one from the service."""
    if check is None:
        return ""
    days = check.difference_days
    if days == 0:
        difference = t("card.overview.cross_same", lang)
    elif days > 0:
        difference = tn("card.overview.cross_later", days, lang)
    else:
        difference = tn("card.overview.cross_earlier", -days, lang)
    if check.differs:
        difference = f"{difference} {t('card.overview.cross_differs', lang)}"
    method = t(keyed("card.dating", check.computed.method), lang)
    return t("card.overview.cross_check", lang, date=long_date(check.computed.due_date, lang),
             method=method, difference=difference)


def display(card: CardView, lang: str, today: dt.date) -> CardDisplay:
    o = card.overview
    ga_line = t("card.overview.ga_today", lang, ga=o.ga_today_text) if o.ga_today_text else ""
    due_line = f"{t('card.overview.due_date', lang)}: {long_date(o.due_date, lang)}" \
        if o.due_date else ""
    dating_line = f"{t('card.overview.dating', lang)}: {_text(o.dating_key, lang)}"
    if o.next_consultation is not None:
        item = o.next_consultation
        next_line = (f"{t('card.overview.next_consultation', lang)}: "
                     f"{t(item.label_key, lang)} ({day_month(item.window_start, lang)} – "
                     f"{day_month(item.window_end, lang)})")
    else:
        next_line = t("card.overview.next_none", lang)
    carers = [f"{t(key, lang)}: {carer.name}" for key, carer in
              (("card.overview.midwife", o.midwife), ("card.overview.gp", o.gp)) if carer]
    schedule = []
    for item in card.schedule:
        if item.done:
            state = "done"
        elif item.is_open(today):
            state = "open"
        elif item.window_end < today:
            state = "missed"
        else:
            state = "upcoming"
        window = f"{day_month(item.window_start, lang)} – {day_month(item.window_end, lang)}"
        schedule.append(ScheduleRow(t(item.label_key, lang), window, state))
    notes = [NoteRow(n.kind, n.text, f"{day_month(to_oslo(n.created_at).date(), lang)} "
                                     f"{clock(n.created_at)}", n.id) for n in card.notes]
    born = long_date(parse_nin(o.woman_pid).birth_date, lang)
    ending_line, ending_kind = ending_texts(card, lang)
    cross_line = cross_check_line(o.cross_check, lang)
    if ending_line:  # the card stops: no week, no due date to count to, nothing next
        ga_line = due_line = dating_line = next_line = cross_line = ""
        schedule = []
    return CardDisplay(
        woman_name=o.woman_name, born=born, ga_line=ga_line, due_line=due_line,
        dating_line=dating_line,
        next_line=next_line, carers=carers,
        consultations=[consultation_row(c, lang) for c in card.timeline],
        schedule=schedule, notes=notes,
        charts=chart_blocks(card.charts, lang),
        can_edit=card.can_edit, can_write_notes=card.can_write_notes,
        labs=lab_rows(card.lab_results, lang),
        background=background_blocks(card.background, lang,
                                     proxy=card.relation == "fullmakt"),
        rhd_lines=rhd_lines(o.rhd_followup, lang),
        ending_line=ending_line, ending_kind=ending_kind, cross_check_line=cross_line,
        ending_termination=card.ending is not None and not card.ending.may_show_to_proxy,
        ending_may_show=card.ending is not None and card.ending.may_show_to_proxy,
        ending_shown=card.ending is not None and card.ending.shown_to_proxy,
    )
