"""The nurse's "Min timeplan": weekly hours, extra hours, closed days and drop-in hours
per place, each with Slett, and one form to add them with a preview of what changes."""

import reflex as rx

from digihelse.booking.rules import MAX_SLOT_MINUTES, MIN_SLOT_MINUTES
from digihelse.ui.components.conflicts import conflict_list
from digihelse.ui.components.layout import T
from digihelse.ui.components.links import anchor_link
from digihelse.ui.pages.personnel import feedback, personnel_shell
from digihelse.ui.pages.school_holidays import holiday_section
from digihelse.ui.presenters.nurse_schedule import (
    ALL_PLACES,
    WEEKDAY_FIELDS,
    Choice,
    FieldError,
    PlaceBlock,
    ScheduleItem,
)
from digihelse.ui.state.nurse_schedule import NurseScheduleState

S = NurseScheduleState
KIND_CHOICES = [("weekly", "sched.kind.weekly"), ("one_off", "sched.kind.one_off"),
                ("closed", "sched.kind.closed"), ("drop_in", "sched.kind.drop_in")]


# --- the lists -----------------------------------------------------------------------------


def _delete_box() -> rx.Component:
    return rx.el.div(
        rx.el.p(T("sched.delete_confirm"), class_name="strong"),
        rx.el.p(S.delete_text, id="delete-effect"),
        conflict_list(S.delete_conflicts, "delete-conflicts"),
        rx.el.div(
            rx.el.button(T("sched.delete_yes"), type="button", on_click=S.confirm_delete,
                         disabled=S.busy | (S.delete_text == ""),
                         class_name="btn nurse-btn-danger"),
            rx.el.button(T("sched.delete_no"), type="button", on_click=S.keep_item,
                         class_name="btn btn-secondary"),
            class_name="row-actions",
        ),
        role="group", aria_label=T("sched.delete_confirm"), class_name="confirm-box",
    )


def _item(item: ScheduleItem) -> rx.Component:
    return rx.el.li(
        rx.el.div(
            rx.el.div(
                rx.el.p(item.title, class_name="strong item-title"),
                rx.cond(item.detail != "", rx.el.p(item.detail, class_name="muted")),
                class_name="item-text",
            ),
            rx.cond(item.can_delete & (S.deleting_key != item.key),
                    rx.el.button(T("sched.delete"), type="button", aria_label=item.delete_label,
                                 on_click=S.ask_delete(item.key), class_name="nurse-small-btn")),
            class_name="item-row",
        ),
        rx.cond(S.deleting_key == item.key, _delete_box()),
        class_name="sched-item",
    )


def _items(items, title_key: str, hint_key: str | None = None) -> rx.Component:
    return rx.fragment(
        rx.el.h3(T(title_key), class_name="sched-kind"),
        rx.el.p(T(hint_key), class_name="muted nurse-small") if hint_key else rx.fragment(),
        rx.cond(items.length() > 0,
                rx.el.ul(rx.foreach(items, _item), class_name="sched-list"),
                rx.el.p(T("sched.none"), class_name="muted")),
    )


def _place(block: PlaceBlock) -> rx.Component:
    heading = "place-" + block.place_id.to_string()
    return rx.el.section(
        rx.el.h2(block.name, id=heading),
        _items(block.weekly, "sched.weekly"),
        _items(block.one_offs, "sched.one_off"),
        _items(block.closed, "sched.closed"),
        _items(block.drop_ins, "sched.drop_in", "sched.drop_in_hint"),
        aria_labelledby=heading,
        class_name="card sched-place",
    )


def _shared_closed() -> rx.Component:
    return rx.cond(
        S.shared_closed.length() > 0,
        rx.el.section(
            rx.el.h2(T("sched.all_places"), id="place-all"),
            _items(S.shared_closed, "sched.closed"),
            aria_labelledby="place-all", class_name="card sched-place",
        ),
    )


# --- the form ------------------------------------------------------------------------------


def _error(name: str):
    return S.errors[name]


def _described(name: str, hint: bool):
    error = _error(name)
    base = f"h-{name}" if hint else ""
    both = f"{base} e-{name}".strip()
    return rx.cond(error != "", both, base) if hint else rx.cond(error != "", both, None)


def field(name: str, label_key: str, control: rx.Component,
          hint_key: str | None = None) -> rx.Component:
    error = _error(name)
    return rx.el.div(
        rx.el.label(T(label_key), html_for=f"f-{name}", class_name="field-label"),
        rx.el.p(T(hint_key), id=f"h-{name}", class_name="nurse-hint") if hint_key
        else rx.fragment(),
        rx.cond(error != "", rx.el.p(error, id=f"e-{name}", class_name="nurse-error")),
        control,
        class_name=rx.cond(error != "", "nurse-field nurse-has-error", "nurse-field"),
    )


def text_input(name: str, input_type: str, hint: bool = False, **props) -> rx.Component:
    return rx.el.input(
        type=input_type, id=f"f-{name}", name=name, default_value=S.draft[name],
        aria_invalid=rx.cond(_error(name) != "", "true", "false"),
        aria_describedby=_described(name, hint), class_name="nurse-input", **props,
    )


def _times() -> rx.Component:
    return rx.el.div(
        field("start", "sched.start", text_input("start", "time", step=300)),
        field("end", "sched.end", text_input("end", "time", step=300)),
        class_name="time-pair",
    )


def _slot_minutes() -> rx.Component:
    return field("slot", "sched.slot", text_input(
        "slot", "number", min=MIN_SLOT_MINUTES, max=MAX_SLOT_MINUTES, step=5,
        input_mode="numeric"))


def _place_option(choice: Choice) -> rx.Component:
    return rx.el.option(choice.label, value=choice.value)


def place_field(allow_all: bool = False) -> rx.Component:
    options = [rx.foreach(S.place_choices, _place_option)]
    if allow_all:
        options.append(rx.el.option(T("sched.all_places"), value=ALL_PLACES))
    return rx.cond(
        S.place_choices.length() > 1,
        field("place", "sched.place", rx.el.select(
            *options, id="f-place", name="place", default_value=S.draft["place"],
            class_name="nurse-input")),
        rx.el.input(type="hidden", name="place", value=S.draft["place"]),
    )


def _weekday_box(index: int) -> rx.Component:
    name = WEEKDAY_FIELDS[index]
    return rx.el.label(
        rx.el.input(type="checkbox", name=name, id=f"f-{name}",
                    default_checked=S.draft[name] != ""),
        rx.el.span(S.weekday_names[index]),
        class_name="check-chip",
    )


def weekday_boxes() -> rx.Component:
    error = _error("weekdays")
    return rx.el.fieldset(
        rx.el.legend(T("sched.weekdays"), class_name="field-label"),
        rx.cond(error != "", rx.el.p(error, id="e-weekdays", class_name="nurse-error")),
        rx.el.div(*[_weekday_box(i) for i in range(7)], class_name="check-chips"),
        aria_describedby=rx.cond(error != "", "e-weekdays", None),
        class_name=rx.cond(error != "", "fieldset nurse-field nurse-has-error",
                           "fieldset nurse-field"),
    )


def weekday_select() -> rx.Component:
    return field("weekday", "sched.weekday", rx.el.select(
        *[rx.el.option(S.weekday_names[i], value=str(i)) for i in range(7)],
        id="f-weekday", name="weekday", default_value=S.draft["weekday"], class_name="nurse-input"))


def _fields_for(kind: str) -> list[rx.Component]:
    if kind == "weekly":
        return [place_field(), weekday_boxes(), _times(), _slot_minutes(),
                field("breaks", "sched.breaks", text_input("breaks", "text", hint=True,
                                                           autocomplete="off"),
                      hint_key="sched.breaks_hint"),
                field("valid_from", "sched.valid_from", text_input("valid_from", "date"))]
    if kind == "one_off":
        return [place_field(), field("day", "sched.day", text_input("day", "date")), _times(),
                _slot_minutes()]
    if kind == "closed":
        return [place_field(allow_all=True),
                field("first_day", "sched.first_day", text_input("first_day", "date")),
                field("last_day", "sched.last_day", text_input("last_day", "date", hint=True),
                      hint_key="sched.last_day_hint"),
                field("label", "sched.label", text_input("label", "text", hint=True,
                                                         max_length=100, autocomplete="off"),
                      hint_key="sched.label_hint")]
    return [place_field(), weekday_select(), _times(),
            rx.el.p(T("sched.drop_in_hint"), class_name="muted")]


def _field_error(item: FieldError) -> rx.Component:
    return rx.el.li(anchor_link(item.text, href=item.href))


def _preview() -> rx.Component:
    return rx.el.section(
        rx.el.h3(T("sched.preview.title"), id="preview-title"),
        rx.el.p(S.preview_text, class_name="strong", id="preview-effect"),
        conflict_list(S.preview_conflicts, "preview-conflicts"),
        rx.el.div(
            rx.el.button(T("sched.confirm_save"), type="button", on_click=S.confirm_save,
                         disabled=S.busy, class_name="btn btn-primary", id="confirm-save"),
            rx.el.button(T("sched.cancel"), type="button", on_click=S.cancel_preview,
                         class_name="btn btn-secondary"),
            class_name="row-actions",
        ),
        aria_labelledby="preview-title", class_name="notice sched-preview", id="schedule-preview",
    )


def _form(kind: str) -> rx.Component:
    return rx.el.form(
        rx.cond(S.error_list.length() > 0, rx.el.div(
            rx.el.p(T("sched.fix"), class_name="strong"),
            rx.el.ul(rx.foreach(S.error_list, _field_error)),
            role="alert", class_name="error-box", id="form-errors")),
        *_fields_for(kind),
        rx.cond(
            S.previewing,
            _preview(),
            rx.el.button(rx.cond(S.busy, T("sched.working"), T("sched.submit")), type="submit",
                         disabled=S.busy, class_name="btn btn-primary", id="save-schedule"),
        ),
        on_submit=S.submit,
        key=S.form_version.to_string() + kind,
        id=f"form-{kind}",
        class_name="sched-form",
        no_validate=True,
    )


def _kind_chip(kind: str, text_key: str) -> rx.Component:
    return rx.el.button(T(text_key), type="button",
                        aria_pressed=rx.cond(S.kind == kind, "true", "false"),
                        on_click=S.choose_kind(kind), class_name="chip", id=f"kind-{kind}")


def add_section() -> rx.Component:
    return rx.el.section(
        rx.el.h2(T("sched.add"), id="add-title", tab_index=-1),
        rx.el.div(*[_kind_chip(kind, key) for kind, key in KIND_CHOICES], role="group",
                  aria_label=T("sched.add_what"), class_name="chips"),
        rx.match(S.kind, *[(kind, _form(kind)) for kind, _ in KIND_CHOICES[:-1]],
                 _form("drop_in")),
        aria_labelledby="add-title", class_name="card add-card",
    )


def nurse_schedule_page() -> rx.Component:
    return personnel_shell(
        "schedule",
        rx.el.div(
            rx.el.h1(T("sched.title")),
            anchor_link(T("sched.add"), href="#add-title", class_name="chip-link",
                        id="jump-add"),
            class_name="day-head",
        ),
        rx.el.p(T("sched.intro"), class_name="lead"),
        rx.cond(
            S.loaded,
            rx.fragment(
                rx.cond(S.not_nurse != "", rx.el.p(S.not_nurse, class_name="notice")),
                rx.foreach(S.blocks, _place),
                _shared_closed(),
                conflict_list(S.result_conflicts, "result-conflicts"),
                rx.cond(S.place_choices.length() > 0, add_section()),
                holiday_section(),
            ),
            rx.el.p(T("pnav.loading"), role="status"),
        ),
        feedback(S.message, S.error, S.dismiss),
    )
