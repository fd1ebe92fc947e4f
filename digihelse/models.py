"""Imports every table module so that SQLModel.metadata (and Alembic) sees them all."""

# ruff: noqa: F401
import digihelse.audit.models
import digihelse.auth.models
import digihelse.booking.models
import digihelse.booking.offer_models
import digihelse.healthcard.models
import digihelse.messages.models
import digihelse.notify.models
import digihelse.people.models
