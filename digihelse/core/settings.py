"""Every setting, read from the environment in one place (pydantic-settings), checked at
start, and handed to the services as one frozen Settings object."""

from __future__ import annotations

import datetime as dt
import functools
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import limits
from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from digihelse.access.policy import Thresholds

ROOT = Path(__file__).resolve().parents[2]  # the repository: data/, alembic/, assets/


class SettingsError(RuntimeError):
    """A setting is missing or unsafe; the app must not start."""


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
    # A time she tapped is held for her this long while she confirms (DIGIHELSE_BOOKING_
    # HOLD_MINUTES); an earlier-time offer holds its time this long (_OFFER_MINUTES).
    hold_for: dt.timedelta = dt.timedelta(minutes=5)
    offer_for: dt.timedelta = dt.timedelta(minutes=30)
    # Booking requests (book, move, cancel) per person, pages and FHIR alike
    # (DIGIHELSE_RATE_BOOKING, the `limits` notation; ";" between several). None, no cap,
    # only where the settings are built in code (the services' own tests).
    rate_per_person: str | None = None


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
    # Representation thresholds (DOMAIN.md "Who may act for whom"), defaults in
    # access.policy.Thresholds; choices are settings.
    youth_self_service_age: int
    basic_self_service_age: int
    parent_full_access_below: int
    parent_no_access_from: int
    fullmakt_giver_min_age: int
    fullmakt_receiver_min_age: int
    # A tab (Reflex state tree) without a signed-in session is forgotten this long after
    # its last event; a signed-in one lives no longer than its session.
    anonymous_tab_seconds: int = 300
    # Open websockets one client address may hold (one per tab); the excess is refused.
    max_sockets_per_address: int = 20
    booking: BookingSettings = field(default_factory=BookingSettings)
    # Passkeys (digihelse/auth/passkeys.py): how long a nurse's activation code and a
    # WebAuthn challenge live, how many wrong codes one address may try in that time, and
    # how long a passkey added after MinID/BankID keeps that eID's assurance.
    passkey_code_minutes: int = 15
    passkey_code_max_failures: int = 5
    passkey_eid_days: int = 90
    # Rate limits ("N/second|minute|hour", the `limits` notation): login starts and
    # callbacks per client address; FHIR reads and writes per caller (her session or
    # token). Past them: 429 with Retry-After.
    rate_login: str = "120/minute"
    # The access log's HMAC key (DIGIHELSE_AUDIT_KEY); required in production. Elsewhere a
    # key file in the data folder is made on first use. Never stored in the database.
    audit_key: str | None = None
    rate_fhir_read: str = "600/minute"
    rate_fhir_write: str = "60/minute"
    rate_socket_connect: str = "120/minute"  # new websockets per client address
    # DIGIHELSE_SCHEDULER=0 turns the background jobs off (e.g. on all but one host).
    scheduler: bool = True
    # With several workers one leads the jobs; its lease lasts this long, so another takes
    # over within about 4/3 of it after the leader dies (background.py).
    leader_seconds: int = 30
    # How often the reminder and outbox jobs run.
    job_interval_seconds: int = 60
    # DIGIHELSE_DEV=1 (`make dev`): Vite serves the frontend on :3000 beside the backend.
    dev: bool = False
    # Notifications of new messages (notify/channels.py): e-mail over SMTP when a host is
    # set, Web Push when a VAPID private key is (RFC 8292); otherwise both to the log.
    sms_gateway_url: str | None = None  # notify/channels.py HttpSmsGateway; else the log
    sms_gateway_token: str | None = None
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_from: str = "DigiHelse <ikke-svar@digihelse.invalid>"
    smtp_starttls: bool = False
    smtp_user: str | None = None
    smtp_password: str | None = None
    vapid_private_key: str | None = None
    vapid_public_key: str | None = None  # what browsers subscribe with (applicationServerKey)
    vapid_subject: str = "mailto:drift@digihelse.invalid"

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


# Each default is written once: the law's ages in the policy, the booking limits above.
_LAW, _BOOKING = Thresholds(), BookingSettings()


def _minutes(span: dt.timedelta) -> int:
    return int(span.total_seconds() // 60)


class Environment(BaseSettings):
    """Every environment variable the service reads, with its type and default; pydantic
    checks them all and names every bad one at once. An empty variable counts as unset."""

    model_config = SettingsConfigDict(case_sensitive=True, env_ignore_empty=True,
                                      extra="ignore", frozen=True)

    DIGIHELSE_ENV: str = "development"  # "production" refuses the test providers
    PORT: int = 8000
    DIGIHELSE_PUBLIC_URL: str | None = None  # default http://localhost:PORT
    DIGIHELSE_INTERNAL_URL: str | None = None  # default http://127.0.0.1:PORT
    DIGIHELSE_DATA_DIR: Path = ROOT / "data"
    DATABASE_URL: str | None = None  # default SQLite in the data folder
    REFLEX_REDIS_URL: str | None = None
    DIGIHELSE_TEST_PROVIDERS: bool = True  # never in production
    # The citizen provider (ID-porten) and the personnel provider (HelseID); each defaults
    # to our embedded test provider. ALGORITHMS and SCOPES are comma-separated lists.
    DIGIHELSE_OIDC_ISSUER: str | None = None
    DIGIHELSE_OIDC_CLIENT_ID: str = "digihelse"
    DIGIHELSE_OIDC_CLIENT_SECRET: str | None = None
    DIGIHELSE_OIDC_PRIVATE_KEY: str | None = None
    DIGIHELSE_OIDC_ACR: str = "idporten-loa-substantial"
    DIGIHELSE_OIDC_ALGORITHMS: str = "RS256"
    DIGIHELSE_OIDC_SCOPES: str = "openid,profile"
    DIGIHELSE_HELSEID_ISSUER: str | None = None
    DIGIHELSE_HELSEID_CLIENT_ID: str = "digihelse-personnel"
    DIGIHELSE_HELSEID_CLIENT_SECRET: str | None = None
    DIGIHELSE_HELSEID_PRIVATE_KEY: str | None = None
    DIGIHELSE_HELSEID_ACR: str | None = None  # HelseID has no levels to ask for
    DIGIHELSE_HELSEID_ALGORITHMS: str = "RS256"
    DIGIHELSE_HELSEID_SCOPES: str = ("openid,profile,helseid://scopes/identity/pid,"
                                     "helseid://scopes/identity/security_level,"
                                     "helseid://scopes/hpr/hpr_number")
    DIGIHELSE_SESSION_IDLE_SECONDS: int = 30 * 60
    DIGIHELSE_SESSION_ABSOLUTE_SECONDS: int = 120 * 60
    DIGIHELSE_LOGIN_ATTEMPT_SECONDS: int = 10 * 60
    DIGIHELSE_CLOCK_SKEW_SECONDS: int = 60  # at most 60 is used
    DIGIHELSE_JWKS_REFETCH_LIMIT: int = 3
    DIGIHELSE_ANON_TAB_SECONDS: int = 300
    DIGIHELSE_MAX_SOCKETS_PER_ADDRESS: int = 20
    DIGIHELSE_PASSKEY_CODE_MINUTES: int = 15
    DIGIHELSE_PASSKEY_CODE_MAX_FAILURES: int = 5
    DIGIHELSE_PASSKEY_EID_DAYS: int = 90
    DIGIHELSE_RATE_LOGIN: str = "120/minute"
    DIGIHELSE_AUDIT_KEY: str | None = None
    DIGIHELSE_RATE_FHIR_READ: str = "600/minute"
    DIGIHELSE_RATE_FHIR_WRITE: str = "60/minute"
    DIGIHELSE_RATE_SOCKET_CONNECT: str = "120/minute"
    # Enough for a parent booking for three children, not for a script churning times
    # and the place's SMS.
    DIGIHELSE_RATE_BOOKING: str = "10/minute;50/day"
    DIGIHELSE_YOUTH_SELF_SERVICE_AGE: int = _LAW.youth_self_service_age
    DIGIHELSE_BASIC_SELF_SERVICE_AGE: int = _LAW.basic_self_service_age
    DIGIHELSE_PARENT_FULL_ACCESS_BELOW: int = _LAW.parent_full_access_below
    DIGIHELSE_PARENT_NO_ACCESS_FROM: int = _LAW.parent_no_access_from
    DIGIHELSE_FULLMAKT_GIVER_MIN_AGE: int = _LAW.fullmakt_giver_min_age
    DIGIHELSE_FULLMAKT_RECEIVER_MIN_AGE: int = _LAW.fullmakt_receiver_min_age
    DIGIHELSE_BOOKING_MIN_NOTICE_MINUTES: int = _minutes(_BOOKING.min_notice)
    DIGIHELSE_BOOKING_CANCEL_NOTICE_MINUTES: int = _minutes(_BOOKING.cancel_notice)
    DIGIHELSE_BOOKING_MAX_ACTIVE: int = _BOOKING.max_active_future_bookings
    DIGIHELSE_BOOKING_REMINDER_HOURS: int = _minutes(_BOOKING.reminder_before) // 60
    DIGIHELSE_BOOKING_HORIZON_DAYS: int = _BOOKING.horizon_days
    DIGIHELSE_BOOKING_HOLD_MINUTES: int = Field(default=_minutes(_BOOKING.hold_for), ge=1,
                                                le=60)
    DIGIHELSE_BOOKING_OFFER_MINUTES: int = Field(default=_minutes(_BOOKING.offer_for), ge=1,
                                                 le=24 * 60)
    DIGIHELSE_SCHEDULER: bool = True
    DIGIHELSE_LEADER_SECONDS: int = Field(default=30, ge=2, le=600)
    DIGIHELSE_JOB_INTERVAL_SECONDS: int = Field(default=60, ge=1, le=3600)
    DIGIHELSE_DEV: bool = False
    DIGIHELSE_SMS_GATEWAY_URL: str | None = None
    DIGIHELSE_SMS_GATEWAY_TOKEN: str | None = None
    DIGIHELSE_SMTP_HOST: str | None = None
    DIGIHELSE_SMTP_PORT: int = 25
    DIGIHELSE_SMTP_FROM: str = "DigiHelse <ikke-svar@digihelse.invalid>"
    DIGIHELSE_SMTP_STARTTLS: bool = False
    DIGIHELSE_SMTP_USER: str | None = None
    DIGIHELSE_SMTP_PASSWORD: str | None = None
    DIGIHELSE_VAPID_PRIVATE_KEY: str | None = None
    DIGIHELSE_VAPID_PUBLIC_KEY: str | None = None
    DIGIHELSE_VAPID_SUBJECT: str = "mailto:drift@digihelse.invalid"


class _GivenEnvironment(Environment):
    """The same variables read from a given mapping only (tests, tools), never os.environ."""

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, **_others):
        return (init_settings,)


_PLAIN_ERRORS = {"int_parsing": "must be a whole number",
                 "bool_parsing": "must be 1 or 0"}


def _read_environment(env: Mapping[str, str] | None) -> Environment:
    try:
        if env is None:
            return Environment()
        names = Environment.model_fields
        return _GivenEnvironment(**{k: v for k, v in env.items() if k in names and v != ""})
    except ValidationError as bad:
        lines = [f"- {error['loc'][0]} {_PLAIN_ERRORS.get(error['type'], error['msg'])}, "
                 f"not {error['input']!r}" for error in bad.errors()]
        raise SettingsError("The settings have bad values:\n" + "\n".join(lines)) from None


def _list(raw: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in raw.split(",") if part.strip())


def _oidc(issuer: str | None, embedded_issuer: str, client_id: str, secret: str | None,
          key: str | None, acr: str | None, algorithms: str, scopes: str
          ) -> OidcClientSettings:
    issuer = (issuer or embedded_issuer).rstrip("/")
    # Pointing the issuer at our own /idp or /helseid also counts as the test provider.
    return OidcClientSettings(issuer=issuer, client_id=client_id, client_secret=secret,
                              private_key_pem=key, acr=acr or None,
                              algorithms=_list(algorithms), scopes=_list(scopes),
                              embedded=issuer == embedded_issuer)


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read the settings from an environment mapping (os.environ by default) and check them."""
    e = _read_environment(env)
    app_env = e.DIGIHELSE_ENV.strip().lower()
    public_url = (e.DIGIHELSE_PUBLIC_URL or f"http://localhost:{e.PORT}").rstrip("/")
    settings = Settings(
        env=app_env,
        port=e.PORT,
        public_url=public_url,
        internal_url=(e.DIGIHELSE_INTERNAL_URL or f"http://127.0.0.1:{e.PORT}").rstrip("/"),
        database_url=(e.DATABASE_URL
                      or f"sqlite:///{e.DIGIHELSE_DATA_DIR / 'digihelse.db'}"),
        redis_url=e.REFLEX_REDIS_URL,
        test_providers=app_env != "production" and e.DIGIHELSE_TEST_PROVIDERS,
        citizen_oidc=_oidc(e.DIGIHELSE_OIDC_ISSUER, f"{public_url}/idp",
                           e.DIGIHELSE_OIDC_CLIENT_ID, e.DIGIHELSE_OIDC_CLIENT_SECRET,
                           e.DIGIHELSE_OIDC_PRIVATE_KEY, e.DIGIHELSE_OIDC_ACR,
                           e.DIGIHELSE_OIDC_ALGORITHMS, e.DIGIHELSE_OIDC_SCOPES),
        personnel_oidc=_oidc(e.DIGIHELSE_HELSEID_ISSUER, f"{public_url}/helseid",
                             e.DIGIHELSE_HELSEID_CLIENT_ID, e.DIGIHELSE_HELSEID_CLIENT_SECRET,
                             e.DIGIHELSE_HELSEID_PRIVATE_KEY, e.DIGIHELSE_HELSEID_ACR,
                             e.DIGIHELSE_HELSEID_ALGORITHMS, e.DIGIHELSE_HELSEID_SCOPES),
        session_idle_seconds=e.DIGIHELSE_SESSION_IDLE_SECONDS,
        session_absolute_seconds=e.DIGIHELSE_SESSION_ABSOLUTE_SECONDS,
        login_attempt_seconds=e.DIGIHELSE_LOGIN_ATTEMPT_SECONDS,
        clock_skew_seconds=min(e.DIGIHELSE_CLOCK_SKEW_SECONDS, 60),
        jwks_refetch_limit=e.DIGIHELSE_JWKS_REFETCH_LIMIT,
        data_dir=e.DIGIHELSE_DATA_DIR,
        anonymous_tab_seconds=e.DIGIHELSE_ANON_TAB_SECONDS,
        max_sockets_per_address=e.DIGIHELSE_MAX_SOCKETS_PER_ADDRESS,
        passkey_code_minutes=e.DIGIHELSE_PASSKEY_CODE_MINUTES,
        passkey_code_max_failures=e.DIGIHELSE_PASSKEY_CODE_MAX_FAILURES,
        passkey_eid_days=e.DIGIHELSE_PASSKEY_EID_DAYS,
        rate_login=e.DIGIHELSE_RATE_LOGIN,
        audit_key=e.DIGIHELSE_AUDIT_KEY,
        rate_fhir_read=e.DIGIHELSE_RATE_FHIR_READ,
        rate_fhir_write=e.DIGIHELSE_RATE_FHIR_WRITE,
        rate_socket_connect=e.DIGIHELSE_RATE_SOCKET_CONNECT,
        youth_self_service_age=e.DIGIHELSE_YOUTH_SELF_SERVICE_AGE,
        basic_self_service_age=e.DIGIHELSE_BASIC_SELF_SERVICE_AGE,
        parent_full_access_below=e.DIGIHELSE_PARENT_FULL_ACCESS_BELOW,
        parent_no_access_from=e.DIGIHELSE_PARENT_NO_ACCESS_FROM,
        fullmakt_giver_min_age=e.DIGIHELSE_FULLMAKT_GIVER_MIN_AGE,
        fullmakt_receiver_min_age=e.DIGIHELSE_FULLMAKT_RECEIVER_MIN_AGE,
        booking=BookingSettings(
            min_notice=dt.timedelta(minutes=e.DIGIHELSE_BOOKING_MIN_NOTICE_MINUTES),
            cancel_notice=dt.timedelta(minutes=e.DIGIHELSE_BOOKING_CANCEL_NOTICE_MINUTES),
            max_active_future_bookings=e.DIGIHELSE_BOOKING_MAX_ACTIVE,
            reminder_before=dt.timedelta(hours=e.DIGIHELSE_BOOKING_REMINDER_HOURS),
            horizon_days=e.DIGIHELSE_BOOKING_HORIZON_DAYS,
            hold_for=dt.timedelta(minutes=e.DIGIHELSE_BOOKING_HOLD_MINUTES),
            offer_for=dt.timedelta(minutes=e.DIGIHELSE_BOOKING_OFFER_MINUTES),
            rate_per_person=e.DIGIHELSE_RATE_BOOKING),
        scheduler=e.DIGIHELSE_SCHEDULER,
        leader_seconds=e.DIGIHELSE_LEADER_SECONDS,
        job_interval_seconds=e.DIGIHELSE_JOB_INTERVAL_SECONDS,
        dev=e.DIGIHELSE_DEV,
        sms_gateway_url=e.DIGIHELSE_SMS_GATEWAY_URL or None,
        sms_gateway_token=e.DIGIHELSE_SMS_GATEWAY_TOKEN or None,
        smtp_host=e.DIGIHELSE_SMTP_HOST or None,
        smtp_port=e.DIGIHELSE_SMTP_PORT,
        smtp_from=e.DIGIHELSE_SMTP_FROM,
        smtp_starttls=e.DIGIHELSE_SMTP_STARTTLS,
        smtp_user=e.DIGIHELSE_SMTP_USER or None,
        smtp_password=e.DIGIHELSE_SMTP_PASSWORD or None,
        vapid_private_key=e.DIGIHELSE_VAPID_PRIVATE_KEY or None,
        vapid_public_key=e.DIGIHELSE_VAPID_PUBLIC_KEY or None,
        vapid_subject=e.DIGIHELSE_VAPID_SUBJECT,
    )
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
    if not 1 <= settings.passkey_code_minutes <= 60:
        problems.append("DIGIHELSE_PASSKEY_CODE_MINUTES must be between 1 and 60.")
    if settings.passkey_code_max_failures < 1:
        problems.append("DIGIHELSE_PASSKEY_CODE_MAX_FAILURES must be at least 1.")
    for name, value in (("DIGIHELSE_RATE_LOGIN", settings.rate_login),
                        ("DIGIHELSE_RATE_FHIR_READ", settings.rate_fhir_read),
                        ("DIGIHELSE_RATE_FHIR_WRITE", settings.rate_fhir_write),
                        ("DIGIHELSE_RATE_SOCKET_CONNECT", settings.rate_socket_connect),
                        ("DIGIHELSE_RATE_BOOKING", settings.booking.rate_per_person or "")):
        try:
            limits.parse_many(value)
        except ValueError:
            problems.append(f"{name} must read like 60/minute, not {value!r}.")
    if settings.is_production and len(settings.audit_key or "") < 32:
        problems.append("DIGIHELSE_AUDIT_KEY (at least 32 characters) is required in "
                        "production: it keys the access log's chain.")
    if not 1 <= settings.passkey_eid_days <= 365:
        problems.append("DIGIHELSE_PASSKEY_EID_DAYS must be between 1 and 365.")
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
