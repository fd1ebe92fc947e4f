"""Nothing secret in logs: cookies, tokens, codes, JWTs and national id numbers are cut out
of every line the process writes, before any handler formats it.

Three layers, installed once at app start (`install()`): a log-record factory (every
`logging` record of every logger: Reflex's event errors, granian, uvicorn, ours), Rich's
`Console.print`/`log` (Reflex's console helpers print there, before Rich wraps lines), and
stdout/stderr (anything printed raw, such as a thread's uncaught traceback)."""

from __future__ import annotations

import io
import logging
import re
import sys
import threading
from collections.abc import Mapping
from typing import Any

MASK = "[redacted]"

# Parameter, header and field names whose values are credentials or identify a person.
_SENSITIVE_NAMES = (
    r"(?:__Host-)?digihelse_session|session(?:_?id)?|cookie|set-cookie|authorization|"
    r"proxy-authorization|token|access_token|refresh_token|id_token|id_token_hint|"
    r"logout_token|client_token|code|code_verifier|state|nonce|client_secret|"
    r"client_assertion|assertion|request_uri|password|secret|jwt|pid|nin|fnr|"
    r"x-api-key|api_key"
)

# 'cookie': '...' and "token": "..." in reprs of dicts and in JSON (quoted values).
_QUOTED_FIELD = re.compile(
    r"""(?P<key>(?P<kq>['"])(?:""" + _SENSITIVE_NAMES + r""")(?P=kq)\s*[:=]\s*)"""
    r"""(?P<vq>['"])(?P<value>(?:\\.|(?!(?P=vq)).)*)(?P=vq)""",
    re.IGNORECASE | re.DOTALL,
)
# Cookie: a=1; b=2 and Authorization: Bearer x as header lines.
_COOKIE_LINE = re.compile(
    r"(?P<key>(?<![\w-])(?:set-)?cookie\s*:\s*)(?P<value>[^\s;]+(?:;[ \t]*[^\s;]+)*;?)",
    re.IGNORECASE,
)
_AUTH_LINE = re.compile(
    r"(?P<key>(?<![\w-])(?:proxy-)?authorization\s*:\s*)"
    r"(?P<value>[A-Za-z]+[ \t]+[^\s,;'\"]+|[^\s,;'\"]+)",
    re.IGNORECASE,
)
# name=value in query strings, cookies, forms and messages ("token=...", "code=...").
_PAIR = re.compile(
    r"(?P<key>(?<![\w-])(?:" + _SENSITIVE_NAMES + r")=)(?P<value>(?!\[redacted\])[^&\s;,'\"]+)",
    re.IGNORECASE,
)
_BEARER = re.compile(r"(?P<key>\b(?:Bearer|Basic|DPoP)\s+)(?P<value>[A-Za-z0-9._~+/=-]+)",
                     re.IGNORECASE)
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
_UUID = re.compile(r"(?<![0-9A-Fa-f])[0-9A-Fa-f]{8}-(?:[0-9A-Fa-f]{4}-){3}[0-9A-Fa-f]{12}"
                   r"(?![0-9A-Fa-f])")
# National id numbers: any 11 digits in a row (also written 6 + 5), not part of a longer
# number. Cheaper and safer than checking control digits: a typo'd number is still one.
_NIN = re.compile(r"(?<!\d)\d{6}[ .-]?\d{5}(?!\d)")
# Long random strings (session ids are 43 url-safe characters): letters and digits mixed.
_OPAQUE = re.compile(r"(?<![A-Za-z0-9_-])(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Za-z])"
                     r"[A-Za-z0-9_-]{32,}(?![A-Za-z0-9_-])")

_QUICK = re.compile(r"\d{6}|[=:]|eyJ|[A-Za-z0-9_-]{32}|[0-9a-f]{8}-", re.IGNORECASE)


def _mask_value(match: re.Match) -> str:
    quote = match.groupdict().get("vq") or ""
    return f"{match.group('key')}{quote}{MASK}{quote}"


def redact(text: str) -> str:
    """The text with every secret replaced by [redacted]."""
    if not text or not _QUICK.search(text):
        return text
    text = _QUOTED_FIELD.sub(_mask_value, text)
    text = _COOKIE_LINE.sub(_mask_value, text)
    text = _AUTH_LINE.sub(_mask_value, text)
    text = _PAIR.sub(_mask_value, text)
    text = _BEARER.sub(_mask_value, text)
    text = _JWT.sub(MASK, text)
    text = _UUID.sub(MASK, text)
    text = _NIN.sub(MASK, text)
    return _OPAQUE.sub(MASK, text)


def redact_record(record: logging.LogRecord) -> logging.LogRecord:
    """Cut secrets out of a record in place: its message, arguments and traceback."""
    try:
        message = record.getMessage()
    except Exception:  # a broken format string: leave it to the handler to report
        return record
    clean = redact(message)
    if clean != message:
        # Keep the structure when masking the arguments alone is enough: uvicorn's and
        # granian's access formatters read record.args (a tuple, or a dict of fields).
        args, parts = record.args, None
        if isinstance(args, tuple) and args:
            parts = tuple(redact(a) if isinstance(a, str) else a for a in args)
        elif isinstance(args, Mapping) and args:
            parts = {k: redact(v) if isinstance(v, str) else v for k, v in args.items()}
        msg = redact(str(record.msg))
        try:
            candidate = msg % parts if parts is not None else None
        except (TypeError, ValueError, KeyError):
            candidate = None
        if candidate is not None and redact(candidate) == candidate:
            record.msg, record.args = msg, parts
        else:
            record.msg, record.args = clean, ()
    if record.exc_info and record.exc_info[0] is not None:
        # Tracebacks carry exception messages and reprs; render them here, redacted.
        # (Some handlers ignore exc_text, so the traceback joins the message.)
        trace = redact(logging.Formatter().formatException(record.exc_info))
        record.msg = f"{record.getMessage()}\n{trace}"
        record.args, record.exc_info, record.exc_text = (), None, None
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    return record


class RedactingFilter(logging.Filter):
    """The same as a handler filter, for handlers that build records themselves."""

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True


class RedactingStream(io.TextIOBase):
    """A text stream that redacts each write and passes the rest to the real one."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(redact(text) if isinstance(text, str) else text)
        return len(text)

    def flush(self) -> None:
        self._stream.flush()

    def isatty(self) -> bool:
        return self._stream.isatty()

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._stream.fileno()

    @property
    def encoding(self):  # type: ignore[override]
        return getattr(self._stream, "encoding", "utf-8")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


_installed = False
_install_lock = threading.Lock()


def _patch_rich() -> None:
    try:
        from rich.console import Console
    except ImportError:
        return

    def wrap(method):
        def redacting(self, *objects, **kwargs):
            return method(self, *(redact(o) if isinstance(o, str) else o for o in objects),
                          **kwargs)
        redacting.__wrapped__ = method
        return redacting

    for name in ("print", "log"):
        original = getattr(Console, name)
        if not hasattr(original, "__wrapped__"):
            setattr(Console, name, wrap(original))


def install() -> None:
    """Redact every log line this process writes from now on (idempotent)."""
    global _installed
    with _install_lock:
        if _installed:
            return
        _installed = True
        previous = logging.getLogRecordFactory()

        def factory(*args, **kwargs):
            return redact_record(previous(*args, **kwargs))

        logging.setLogRecordFactory(factory)
        _patch_rich()
        for name in ("stdout", "stderr"):
            stream = getattr(sys, name)
            if stream is not None and not isinstance(stream, RedactingStream):
                setattr(sys, name, RedactingStream(stream))
