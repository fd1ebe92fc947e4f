"""Finding 6: no cookie, token or national id number survives into a log line."""

from __future__ import annotations

import io
import logging
import secrets
import uuid

from hypothesis import given
from hypothesis import strategies as st

from digihelse.auth.sessions import new_session_id
from digihelse.core.logredact import MASK, RedactingStream, redact, redact_record
from digihelse.people.nin import control_digits

# Cookie values as RFC 6265 allows them (cookie-octets), at least 8 long, as a real one is.
COOKIE_OCTETS = "".join(chr(c) for c in range(0x21, 0x7F) if chr(c) not in '",;\\')
cookie_values = st.text(alphabet=COOKIE_OCTETS, min_size=8, max_size=60)
url_safe_values = st.text(
    alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~",
    min_size=8, max_size=80)


@st.composite
def valid_nins(draw) -> str:
    """Any valid 11-digit number (birth numbers, D-numbers, synthetic test numbers)."""
    while True:
        first_nine = draw(st.text(alphabet="0123456789", min_size=9, max_size=9))
        digits = control_digits(first_nine)
        if digits is not None:
            return first_nine + digits


def router_data_line(cookie: str, token: str, nin: str) -> str:
    """The shape Reflex logs for an event naming an unknown handler."""
    headers = {"host": "localhost:8000", "cookie": f"digihelse_session={cookie}; lang=nb"}
    router_data = {"pathname": "/hjem", "headers": headers, "ip": "127.0.0.1",
                   "token": token}
    return (f"Error processing event queue entry for Event(name='x.y', "
            f"router_data={router_data!r}, payload={{'pid': {nin!r}}}) [txid=ab12]:")


@given(cookie=cookie_values, nin=valid_nins())
def test_no_cookie_value_or_nin_survives_in_reflex_event_errors(cookie, nin):
    token = str(uuid.uuid4())
    line = redact(router_data_line(cookie, token, nin))
    # A value that is also a word of the line itself ("pathname") says nothing of a leak.
    assert cookie not in line or cookie in router_data_line("", "", "")
    assert token not in line
    assert nin not in line
    assert "Error processing event queue entry" in line  # the message itself stays


@given(cookie=cookie_values)
def test_a_cookie_header_line_keeps_none_of_its_values(cookie):
    line = redact(f"headers: Cookie: digihelse_session={cookie}; digihelse_lang=nb")
    assert cookie not in line


@given(nin=valid_nins(), prefix=st.sampled_from(["", "pid ", "fnr=", "nin: ", "x", "Nr."]),
       suffix=st.sampled_from(["", " ", ".", ",", "x", " logget inn"]))
def test_no_national_id_number_survives_anywhere_in_text(nin, prefix, suffix):
    assert nin not in redact(f"{prefix}{nin}{suffix}")
    assert nin[:6] + " " + nin[6:] not in redact(f"{prefix}{nin[:6]} {nin[6:]}{suffix}")


@given(code=url_safe_values, state=url_safe_values, token=url_safe_values)
def test_codes_and_tokens_in_query_strings_are_cut(code, state, token):
    line = redact(f'"GET /auth/callback?code={code}&state={state} HTTP/1.1" 302 '
                  f"ws /_event/?EIO=4&transport=websocket&token={token}")
    for value in (code, state, token):
        assert f"={value}" not in line
    assert "/auth/callback" in line


def test_session_ids_jwts_and_bearer_tokens_without_their_names_are_cut():
    session_id = new_session_id()
    jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLWJ5dGVz"
    opaque = secrets.token_urlsafe(32)
    line = redact(f"session {session_id} id_token_hint {jwt} Authorization: Bearer {opaque} "
                  f"bearer {opaque[:20]}")
    for secret in (session_id, jwt, opaque, opaque[:20]):
        assert secret not in line


@given(text=st.text(max_size=200))
def test_redaction_is_stable(text):
    once = redact(text)
    assert redact(once) == once


def test_ordinary_lines_are_left_alone():
    for line in ("App running at: http://0.0.0.0:8000/", "Booked slot 42 for 2026-12-03 10:15",
                 "Compiling: 40/39", "GET /healthz 200"):
        assert redact(line) == line


def _record(msg, args=(), exc_info=None) -> logging.LogRecord:
    return logging.LogRecord("reflex", logging.ERROR, __file__, 1, msg, args, exc_info)


def test_records_lose_secrets_in_arguments_and_tracebacks():
    cookie, nin = new_session_id(), "01018012345"
    try:
        raise KeyError(f"No registered handler for cookie={cookie}")
    except KeyError:
        import sys

        record = redact_record(_record("event %s from %s", ("x", nin), sys.exc_info()))
    handler_output = logging.Formatter().format(record)
    assert cookie not in handler_output and nin not in handler_output
    assert "KeyError" in handler_output and "event x from" in handler_output


def test_argument_structure_is_kept_when_masking_arguments_is_enough():
    # uvicorn's access formatter reads record.args as a tuple
    record = redact_record(_record('%s - "%s %s HTTP/%s" %d',
                                   ("127.0.0.1:5000", "GET", "/auth/callback?code=abc", "1.1",
                                    302)))
    assert record.args == ("127.0.0.1:5000", "GET", f"/auth/callback?code={MASK}", "1.1", 302)


def test_granian_access_lines_keep_their_fields_without_the_query_secrets():
    record = redact_record(_record('%(addr)s - "%(method)s %(path)s?%(query_string)s" %(status)d',
                                   ({"addr": "127.0.0.1", "method": "GET",
                                     "path": "/auth/callback", "status": 302,
                                     "query_string": "code=abc123&state=xyz"},)))
    assert record.args["query_string"] == f"code={MASK}&state={MASK}"
    assert record.getMessage() == (f'127.0.0.1 - "GET /auth/callback?code={MASK}&state={MASK}"'
                                   " 302")


def test_the_stream_layer_redacts_raw_writes():
    sink = io.StringIO()
    stream = RedactingStream(sink)
    print("Traceback ... token=9f1c2e7a-1b2c-4d3e-8f90-a1b2c3d4e5f6", file=stream)
    assert "9f1c2e7a" not in sink.getvalue() and "Traceback" in sink.getvalue()
