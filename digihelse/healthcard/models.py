"""The pregnancy record (helsekort for gravide): the current pregnancy and its carers."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Field, SQLModel

from digihelse.timeutil import utcnow


class PregnancyRecord(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    woman_id: int = Field(foreign_key="person.id", index=True)
    active: bool = True
    last_period: dt.date | None = None
    due_date_lmp: dt.date | None = None  # 283 days after the last period (NGF)
    due_date_ultrasound: dt.date | None = None
    due_date: dt.date | None = None  # the corrected due date in use
    fetuses: int = 1
    assisted_conception: bool = False
    midwife_id: int | None = Field(default=None, foreign_key="personnel.id")
    gp_id: int | None = Field(default=None, foreign_key="personnel.id")
    created_at: dt.datetime = Field(default_factory=utcnow)
