"""Imports every table so that SQLModel.metadata (and Alembic) sees them all."""

from digihelse.audit.models import AccessLog
from digihelse.auth.models import LoginAttempt, UsedAuthCode, UserSession
from digihelse.healthcard.models import PregnancyRecord
from digihelse.people.models import (
    Enrollment,
    Municipality,
    ParentChild,
    Person,
    Personnel,
    Place,
    StaffAssignment,
)

__all__ = [
    "AccessLog", "Enrollment", "LoginAttempt", "Municipality", "ParentChild", "Person",
    "Personnel", "Place", "PregnancyRecord", "StaffAssignment", "UsedAuthCode", "UserSession",
]
