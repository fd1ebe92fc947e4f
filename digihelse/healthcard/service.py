"""The pregnancy card service: every operation on the card, in one import for its callers.

Each concept has its own module; this one only gathers their public names:
- record.py: opening the card and editing the pregnancy (drafts, the form);
- consultations.py, labs.py, notes.py: check-ups, lab results, her own notes and hiding;
- card.py: reading the card as the viewer may see it; history.py: who changed what;
- carers.py: the midwife's and GP's list; views.py: what comes out; errors.py: refusals;
- guard.py: access checks and the access log; versioning.py: a version row per change.

Every function takes an Actor and a Session or an Engine (with an Engine the call is a
transaction of its own). No UI imports."""

from digihelse.healthcard.card import get_card
from digihelse.healthcard.carers import my_women
from digihelse.healthcard.consultations import edit_consultation, record_consultation
from digihelse.healthcard.ending import (
    correct_ending,
    ending_preview,
    record_ending,
    show_ending_to_proxy,
)
from digihelse.healthcard.errors import (
    CardError,
    CardExists,
    CardNotFound,
    ItemNotFound,
    StaleEdit,
    ValidationFailed,
)
from digihelse.healthcard.history import history
from digihelse.healthcard.labs import edit_lab_result, record_lab_result
from digihelse.healthcard.notes import (
    add_own_note,
    delete_own_note,
    edit_own_note,
    set_hidden_from_proxy,
)
from digihelse.healthcard.record import create_card, draft_of, pregnancy_form, update_pregnancy
from digihelse.healthcard.validation import ConsultationDraft, LabDraft, PregnancyDraft
from digihelse.healthcard.views import (
    AuthorView,
    Background,
    CardView,
    ConsultationView,
    FetusView,
    FieldChange,
    FollowUp,
    LabResultView,
    Overview,
    OwnNoteView,
    PregnancyForm,
    VersionView,
    WomanSummary,
)

__all__ = [
    "AuthorView",
    "Background",
    "CardError",
    "CardExists",
    "CardNotFound",
    "CardView",
    "ConsultationDraft",
    "ConsultationView",
    "FetusView",
    "FieldChange",
    "FollowUp",
    "ItemNotFound",
    "LabDraft",
    "LabResultView",
    "Overview",
    "OwnNoteView",
    "PregnancyDraft",
    "PregnancyForm",
    "StaleEdit",
    "ValidationFailed",
    "VersionView",
    "WomanSummary",
    "add_own_note",
    "correct_ending",
    "create_card",
    "delete_own_note",
    "draft_of",
    "edit_consultation",
    "edit_lab_result",
    "edit_own_note",
    "ending_preview",
    "get_card",
    "history",
    "my_women",
    "pregnancy_form",
    "record_consultation",
    "record_ending",
    "record_lab_result",
    "set_hidden_from_proxy",
    "show_ending_to_proxy",
    "update_pregnancy",
]
