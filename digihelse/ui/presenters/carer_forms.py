"""What the carer's two forms share, without Reflex: each field's HTML id and label, and the
list of problems that links to the fields."""

from __future__ import annotations

from collections.abc import Mapping

from digihelse.core.i18n import t
from digihelse.ui.presenters.lab_form import LAB_LABELS
from digihelse.ui.presenters.pregnancy_form import pregnancy_label


def field_id(name: str) -> str:
    """The HTML id of a field ("lifestyle.first.smoking" -> "f-lifestyle-first-smoking")."""
    return "f-" + name.replace(".", "-")


def field_label(name: str, lang: str) -> str:
    """A field's label as the form shows it, for the list of errors."""
    label = pregnancy_label(name, lang)
    if label is not None:
        return label
    if name in LAB_LABELS:
        return t(LAB_LABELS[name], lang)
    return name


def expected_version(values: Mapping[str, str]) -> int | None:
    """The version of the row a correction started from (the form's "version" string), so
    that a save on top of somebody else's is refused as stale."""
    version = values.get("version", "")
    return int(version) if version.isdigit() else None


def error_text(key: str, lang: str) -> str:
    """A field's problem: a message key from the service, or a sentence it already wrote."""
    return t(key, lang) if key.startswith("card.") else key


def error_list(errors: Mapping[str, str], order: tuple[str, ...], lang: str
               ) -> list[dict[str, str]]:
    """Every problem as a link to its field, in the form's order."""
    def position(name: str) -> int:
        return order.index(name) if name in order else len(order)

    def line(name: str, key: str) -> str:
        label, message = field_label(name, lang), error_text(key, lang)
        return f"{label} {message}" if label.endswith("?") else f"{label}: {message}"

    return [{"href": "#" + field_id(name), "text": line(name, key)}
            for name, key in sorted(errors.items(), key=lambda item: position(item[0]))]
