"""GET /timer/{id}.ics: one booking as an iCalendar file, made only when asked for."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import Response

from digihelse.access.actors import AccessDenied, Actor
from digihelse.auth.current import current_user
from digihelse.booking.citizen import calendar_file
from digihelse.booking.errors import BookingError
from digihelse.core.db import get_engine
from digihelse.core.timeutil import utcnow


def _ics(cookie: str | None, booking_id: int) -> str | None:
    user = current_user(cookie)
    if user is None:
        return None
    actor = Actor(pid=user.pid, role=user.role, name=user.name, acr=user.acr,
                  assurance=user.assurance)
    return calendar_file(get_engine(), actor, booking_id, now=utcnow())


async def booking_calendar(request: Request) -> Response:
    booking_id = request.path_params["booking_id"]
    try:
        text = await asyncio.to_thread(_ics, request.headers.get("cookie"), booking_id)
    except (AccessDenied, BookingError):
        # Someone else's booking answers as one that does not exist: nothing is revealed.
        return Response("Fant ikke timen", status_code=404, headers={"Cache-Control": "no-store"})
    if text is None:
        return Response("Logg inn først", status_code=401)
    return Response(text, media_type="text/calendar; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="time-{booking_id}.ics"',
        "Cache-Control": "no-store",
    })
