"""GET /healthz: 200 with JSON when the database answers, 503 otherwise."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import JSONResponse

from digihelse.core import db


async def healthz(_request: Request) -> JSONResponse:
    ok = await asyncio.to_thread(db.ping)
    body = {"status": "ok" if ok else "unavailable", "database": "ok" if ok else "unreachable"}
    return JSONResponse(body, status_code=200 if ok else 503,
                        headers={"Cache-Control": "no-store"})
