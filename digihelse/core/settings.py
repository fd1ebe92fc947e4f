"""Every setting, read from the environment in one place, with defaults for local use."""

from __future__ import annotations

import datetime as dt
import functools
import ipaddress
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]  # the repository: data/, alembic/, assets/


class SettingsError(RuntimeError):
    """A setting is missing or unsafe; the app must not start."""


_PROBLEMS = "\0problems"  # a key no environment variable can have


def _int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError:
        # Noted, not raised: load_settings lists every bad value at once.
        env.setdefault(_PROBLEMS, "")
        env[_PROBLEMS] += f"\n- {name} must be a whole number, not {raw!r}"
        return default


def _list(env: dict[str, str], name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    raw = env.get(name)
    if not raw:
        return default
    return tuple(part.strip() for part in raw.split(",") if part.strip())


def is_loopback_url(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class BookingSettings:
    """The booking limits. Each is our choice, not a rule of law, hence a setting
    (DIGIHELSE_BOOKING_MIN_NOTICE_MINUTES, _CANCEL_NOTICE_MINUTES, _MAX_ACTIVE,
    _REMINDER_HOURS, _HORIZON_DAYS); the services get them passed in."""

    min_notice: dt.timedelta = dt.timedelta(hours=2)  # no booking closer to the start
    cancel_notice: dt.timedelta = dt.timedelta(hours=2)  # pupils cancel/move until then
    max_active_future_bookings: int = 2  # per pupil
    reminder_before: dt.timedelta = dt.timedelta(hours=24)
    alternatives: int = 3  # offered when a slot was taken
    alternatives_window: dt.timedelta = dt.timedelta(days=14)
    horizon_days: int = 28  # how far ahead slots are generated
    mark_grace: dt.timedelta = dt.timedelta(minutes=15)  # "Møtt" may be set this early


def _booking(env: dict[str, str]) -> BookingSettings:
    base = BookingSettings()
    minutes = lambda td: int(td.total_seconds() // 60)  # noqa: E731
    return BookingSettings(
        min_notice=dt.timedelta(minutes=_int(env, "DIGIHELSE_BOOKING_MIN_NOTICE_MINUTES",
                                             minutes(base.min_notice))),
        cancel_notice=dt.timedelta(minutes=_int(env, "DIGIHELSE_BOOKING_CANCEL_NOTICE_MINUTES",
                                                minutes(base.cancel_notice))),
        max_active_future_bookings=_int(env, "DIGIHELSE_BOOKING_MAX_ACTIVE",
                                        base.max_active_future_bookings),
        reminder_before=dt.timedelta(hours=_int(env, "DIGIHELSE_BOOKING_REMINDER_HOURS",
                                                minutes(base.reminder_before) // 60)),
        horizon_days=_int(env, "DIGIHELSE_BOOKING_HORIZON_DAYS", base.horizon_days),
    )


@dataclass(frozen=True)
class OidcClientSettings:
    """How we, as relying party, talk to one OpenID provider."""

    issuer: str
    client_id: str
    client_secret: str | None
    private_key_pem: str | None  # private_key_jwt when set
    acr: str | None  # minimum acr value, None when the provider has no levels
    algorithms: tuple[str, ...]
    scopes: tuple[str, ...]
    embedded: bool  # the issuer is our own embedded test provider


@dataclass(frozen=True)
class Settings:
    env: str
    port: int
    public_url: str
    internal_url: str  # how the server reaches itself (for the embedded providers)
    database_url: str
    redis_url: str | None
    test_providers: bool
    citizen_oidc: OidcClientSettings
    personnel_oidc: OidcClientSettings
    session_idle_seconds: int
    session_absolute_seconds: int
    login_attempt_seconds: int
    clock_skew_seconds: int
    jwks_refetch_limit: int
    data_dir: Path
    # A tab (Reflex state tree) without a signed-in session is forgotten this long after
    # its last event; a signed-in one lives no longer than its session.
    anonymous_tab_seconds: int = 300
    # Open websockets one client address may hold (one per tab); the excess is refused.
    max_sockets_per_address: int = 20
    # Representation thresholds (DOMAIN.md "Who may act for whom"); choices are settings.
    youth_self_service_age: int = 12
    basic_self_service_age: int = 16
    parent_full_access_below: int = 12
    parent_no_access_from: int = 16
    fullmakt_giver_min_age: int = 16
    fullmakt_receiver_min_age: int = 18
    booking: BookingSettings = field(default_factory=BookingSettings)
    # DIGIHELSE_SCHEDULER=0 turns the background jobs off (e.g. on all but one host).
    scheduler: bool = True
    # DIGIHELSE_DEV=1 (`make dev`): Vite serves the frontend on :3000 beside the backend.
    dev: bool = False
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def cookie_secure(self) -> bool:
        return self.public_url.startswith("https://")

    @property
    def session_cookie_name(self) -> str:
        # The __Host- prefix binds the cookie to this origin, but browsers accept it
        # only with Secure, so plain-http local use gets a plain name.
        return "__Host-digihelse_session" if self.cookie_secure else "digihelse_session"


def _oidc(
    env: dict[str, str],
    prefix: str,
    *,
    embedded_issuer: str,
    default_client_id: str,
    default_acr: str | None,
    default_scopes: tuple[str, ...],
) -> OidcClientSettings:
    issuer = (env.get(f"{prefix}ISSUER") or embedded_issuer).rstrip("/")
    # Pointing the issuer at our own /idp or /helseid also counts as the test provider.
    embedded = issuer == embedded_issuer.rstrip("/")
    return OidcClientSettings(
        issuer=issuer.rstrip("/"),
        client_id=env.get(f"{prefix}CLIENT_ID") or default_client_id,
        client_secret=env.get(f"{prefix}CLIENT_SECRET") or None,
        private_key_pem=env.get(f"{prefix}PRIVATE_KEY") or None,
        acr=env.get(f"{prefix}ACR", default_acr) or None,
        algorithms=_list(env, f"{prefix}ALGORITHMS", ("RS256",)),
        scopes=_list(env, f"{prefix}SCOPES", default_scopes),
        embedded=embedded,
    )


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """Read settings from an environment mapping (os.environ by default) and check them."""
    env = dict(os.environ if env is None else env)
    app_env = env.get("DIGIHELSE_ENV", "development").strip().lower()
    port = _int(env, "PORT", 8000)
    public_url = (env.get("DIGIHELSE_PUBLIC_URL") or f"http://localhost:{port}").rstrip("/")
    internal_url = (env.get("DIGIHELSE_INTERNAL_URL") or f"http://127.0.0.1:{port}").rstrip("/")
    data_dir = Path(env.get("DIGIHELSE_DATA_DIR") or ROOT / "data")
    database_url = env.get("DATABASE_URL") or f"sqlite:///{data_dir / 'digihelse.db'}"
    production = app_env == "production"
    test_providers = not production and env.get("DIGIHELSE_TEST_PROVIDERS", "1") != "0"

    citizen = _oidc(
        env,
        "DIGIHELSE_OIDC_",
        embedded_issuer=f"{public_url}/idp",
        default_client_id="digihelse",
        default_acr="idporten-loa-substantial",
        default_scopes=("openid", "profile"),
    )
    personnel = _oidc(
        env,
        "DIGIHELSE_HELSEID_",
        embedded_issuer=f"{public_url}/helseid",
        default_client_id="digihelse-personnel",
        default_acr=None,
        default_scopes=("openid", "profile", "helseid://scopes/identity/pid",
                        "helseid://scopes/identity/security_level",
                        "helseid://scopes/hpr/hpr_number"),
    )
    settings = Settings(
        env=app_env,
        port=port,
        public_url=public_url,
        internal_url=internal_url,
        database_url=database_url,
        redis_url=env.get("REFLEX_REDIS_URL") or None,
        test_providers=test_providers,
        citizen_oidc=citizen,
        personnel_oidc=personnel,
        session_idle_seconds=_int(env, "DIGIHELSE_SESSION_IDLE_SECONDS", 30 * 60),
        session_absolute_seconds=_int(env, "DIGIHELSE_SESSION_ABSOLUTE_SECONDS", 120 * 60),
        login_attempt_seconds=_int(env, "DIGIHELSE_LOGIN_ATTEMPT_SECONDS", 10 * 60),
        clock_skew_seconds=min(_int(env, "DIGIHELSE_CLOCK_SKEW_SECONDS", 60), 60),
        jwks_refetch_limit=_int(env, "DIGIHELSE_JWKS_REFETCH_LIMIT", 3),
        data_dir=data_dir,
        anonymous_tab_seconds=_int(env, "DIGIHELSE_ANON_TAB_SECONDS", 300),
        max_sockets_per_address=_int(env, "DIGIHELSE_MAX_SOCKETS_PER_ADDRESS", 20),
        youth_self_service_age=_int(env, "DIGIHELSE_YOUTH_SELF_SERVICE_AGE", 12),
        basic_self_service_age=_int(env, "DIGIHELSE_BASIC_SELF_SERVICE_AGE", 16),
        parent_full_access_below=_int(env, "DIGIHELSE_PARENT_FULL_ACCESS_BELOW", 12),
        parent_no_access_from=_int(env, "DIGIHELSE_PARENT_NO_ACCESS_FROM", 16),
        fullmakt_giver_min_age=_int(env, "DIGIHELSE_FULLMAKT_GIVER_MIN_AGE", 16),
        fullmakt_receiver_min_age=_int(env, "DIGIHELSE_FULLMAKT_RECEIVER_MIN_AGE", 18),
        booking=_booking(env),
        scheduler=env.get("DIGIHELSE_SCHEDULER", "1") != "0",
        dev=env.get("DIGIHELSE_DEV") == "1",
    )
    if env.get(_PROBLEMS):
        raise SettingsError("The settings have bad values:" + env[_PROBLEMS])
    check_settings(settings)
    return settings


def check_settings(settings: Settings) -> None:
    """Refuse unsafe combinations before anything starts, naming all of them at once."""
    problems: list[str] = []
    if settings.session_idle_seconds > 30 * 60:
        problems.append("DIGIHELSE_SESSION_IDLE_SECONDS: the idle timeout may be at most "
                        "30 minutes (ID-porten's rule).")
    if settings.session_absolute_seconds > 120 * 60:
        problems.append("DIGIHELSE_SESSION_ABSOLUTE_SECONDS: the absolute session lifetime may be "
                        "at most 120 minutes.")
    if settings.anonymous_tab_seconds < 1:
        problems.append("DIGIHELSE_ANON_TAB_SECONDS must be at least 1.")
    if settings.max_sockets_per_address < 1:
        problems.append("DIGIHELSE_MAX_SOCKETS_PER_ADDRESS must be at least 1.")
    for oidc in (settings.citizen_oidc, settings.personnel_oidc):
        if settings.is_production and oidc.embedded:
            problems.append(
                f"DIGIHELSE_ENV=production with the embedded test provider {oidc.issuer}: "
                "configure a real provider."
            )
        if oidc.issuer.startswith("http://") and not is_loopback_url(oidc.issuer):
            problems.append(f"Plain http issuer {oidc.issuer} is allowed only on loopback.")
        if not oidc.issuer.startswith(("http://", "https://")):
            problems.append(f"The issuer {oidc.issuer!r} must be an http(s) URL.")
        if any(alg == "none" or alg.startswith("HS") for alg in oidc.algorithms):
            problems.append("Only asymmetric signature algorithms may be configured.")
        if not oidc.embedded and not (oidc.client_secret or oidc.private_key_pem):
            problems.append(f"A client secret or private key is needed for {oidc.issuer}.")
    if problems:
        raise SettingsError("Unsafe settings:\n- " + "\n- ".join(problems))


@functools.lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
