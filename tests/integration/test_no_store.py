"""Every answer of our own HTTP routes (logins, logouts, passkeys, FHIR, the calendar
file, the health check) says Cache-Control: no-store, errors and refusals included, so
no browser or proxy keeps a copy of anything personal. The embedded test providers are
left out: they are not the product."""

from __future__ import annotations

from starlette.routing import Route

from tests.fhir_client import logged_in

# A body that each POST route refuses quickly; what matters is the header.
SAME_ORIGIN = {"Origin": "http://localhost:8000", "Content-Type": "application/json"}


def _our_routes(api) -> list[tuple[str, str]]:
    found = []
    for route in api.routes:
        if not isinstance(route, Route) or route.path.startswith(("/idp", "/helseid")):
            continue
        path = (route.path.replace("{booking_id:int}", "1")
                .replace("{path:path}", "Appointment/1"))
        for method in sorted(route.methods or ()):
            if method != "HEAD":
                found.append((method, path))
    return found


def test_every_route_of_ours_says_no_store(fhir_api):
    client = logged_in(fhir_api, "Noah")
    routes = _our_routes(fhir_api)
    assert ("GET", "/fhir/R4/Appointment/1") in routes and ("GET", "/timer/1.ics") in routes
    assert len(routes) > 20  # logins, logouts, passkeys, FHIR methods, health
    missing = []
    for method, path in routes:
        response = client.request(method, path, headers=SAME_ORIGIN, content=b"{}",
                                  follow_redirects=False)
        if "no-store" not in response.headers.get("cache-control", ""):
            missing.append((method, path, response.status_code))
    assert missing == []
