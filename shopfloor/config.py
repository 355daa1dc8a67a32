"""The only module that reads environment variables."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from babel.numbers import list_currencies

from shopfloor.lan import addresses
from shopfloor.lan.certificates import TLSFiles

ROOT = Path(__file__).resolve().parent.parent


def instance_path() -> Path:
    """Where the instance's own files live (database, secrets, the LAN certificates): SHOPFLOOR_INSTANCE_PATH,
    else instance/ beside app.py."""
    return Path(os.environ.get("SHOPFLOOR_INSTANCE_PATH") or ROOT / "instance").resolve()


def _secret_key() -> str:
    """SECRET_KEY from the environment; empty: the one the database shares (shopfloor/instance_secrets.py)."""
    return os.environ.get("SHOPFLOOR_SECRET_KEY") or os.environ.get("SECRET_KEY") or ""


def _normalise_db_url(url: str) -> str:
    # Heroku-style URLs and plain postgresql:// should use psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


BOARD_THRESHOLDS = {"output_good": 100.0, "output_warn": 85.0, "dhu_warn": 5.0, "dhu_bad": 10.0}


def _thresholds() -> dict:
    """SHOPFLOOR_BOARD_THRESHOLDS="output_good=100,output_warn=85,dhu_warn=5,dhu_bad=10" (any subset)."""
    out = dict(BOARD_THRESHOLDS)
    for part in filter(None, os.environ.get("SHOPFLOOR_BOARD_THRESHOLDS", "").split(",")):
        key, _, value = part.partition("=")
        if key.strip() in out:
            out[key.strip()] = float(value)
    return out


def _money(name: str, default: str) -> Decimal:
    """A money setting, parsed from its text as an exact Decimal (never through a float)."""
    raw = os.environ.get(name, default)
    try:
        value = Decimal(raw.strip())
    except InvalidOperation:
        raise ValueError(f"{name} must be a decimal number, not {raw!r}") from None
    if not value.is_finite() or value < 0:
        raise ValueError(f"{name} must be a decimal number of 0 or more, not {raw!r}")
    return value


def _currency() -> str:
    """The currency pay and costs are in: an ISO 4217 code Babel knows (BDT, VND, INR, USD...)."""
    raw = os.environ.get("SHOPFLOOR_CURRENCY", "").strip().upper() or Config.CURRENCY
    if raw not in list_currencies():
        raise ValueError(f"SHOPFLOOR_CURRENCY must be an ISO 4217 currency code such as BDT, VND, INR or USD, "
                         f"not {os.environ.get('SHOPFLOOR_CURRENCY')!r}")
    return raw


def _whole_minutes(name: str, default: int, unit: str = "minutes") -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit():
        raise ValueError(f"{name} must be a whole number of {unit} (0 or more), not {raw!r}")
    return int(raw)


ATTENDANCE_SOURCES = ("clock", "first-last-scan")


def _attendance_source() -> str:
    value = (os.environ.get("SHOPFLOOR_ATTENDANCE_SOURCE") or "clock").strip().lower()
    if value not in ATTENDANCE_SOURCES:
        raise ValueError(f"SHOPFLOOR_ATTENDANCE_SOURCE must be one of {', '.join(ATTENDANCE_SOURCES)}, not {value!r}")
    return value


@dataclass
class Config:
    SECRET_KEY: str
    SQLALCHEMY_DATABASE_URI: str
    # Where phones reach this server (shopfloor/lan/addresses.reach): SHOPFLOOR_BASE_URL as the admin set it
    # (ticket QRs, the banner, /setup), else http://LAN_ADDRESS:HTTP_PORT; HTTPS on TLS_PORT (0: none).
    PUBLIC_BASE_URL: str = ""
    LAN_ADDRESS: str = "127.0.0.1"  # found once, when the app is made (addresses.phone_address)
    HTTP_PORT: int = 8000  # SHOPFLOOR_PORT: the port `make run` binds (shopfloor/server.py passes it on)
    TLS_PORT: int = 0
    LAN_CA_CERT: str = ""  # the CA phones install (instance/tls/ca.crt) when the server uses its own certificate
    FACTORY_TIMEZONE: str = "UTC"
    BOARD_TOKEN: str = ""
    # Money as exact decimals (see shopfloor.money): the default piece rate is SAM x WAGE_PER_MINUTE.
    WAGE_PER_MINUTE: Decimal = Decimal("0.05")
    CURRENCY: str = "USD"   # what pay and costs are shown in (templating.amount); amounts are kept to cents
    MINIMUM_WAGE_PER_DAY: Decimal = Decimal("20")
    # Approved off-standard minutes (a stop the operator could not earn in) are paid at this rate per minute
    # (default: WAGE_PER_MINUTE); attended minutes inside approved overtime, outside every shift, earn
    # WAGE_PER_MINUTE x OVERTIME_PREMIUM on top (0.5: time and a half).
    OFF_STANDARD_RATE_PER_MINUTE: Decimal = Decimal("0.05")
    OVERTIME_PREMIUM: Decimal = Decimal("0.5")
    SHIFT_START: str = "08:00"
    SHIFT_MINUTES: int = 480
    # Minutes attended per operator and day (shopfloor/attendance): "clock" = clock-in and clock-out scanned at
    # the gate; "first-last-scan" = a factory that does not clock: the first and last scan of the day stand in.
    ATTENDANCE_SOURCE: str = "clock"
    # A clock-in more than this many minutes after the operator's shift started is late (presence page).
    LATE_AFTER_MINUTES: int = 5
    BABEL_DEFAULT_LOCALE: str = "en"
    LANGUAGES: tuple = ("en", "es", "bn", "vi", "hi")
    SQLALCHEMY_ENGINE_OPTIONS: dict = field(default_factory=dict)
    SESSION_COOKIE_SAMESITE: str = "Lax"
    SESSION_COOKIE_HTTPONLY: bool = True
    SESSION_COOKIE_SECURE: bool = False  # also Secure whenever the request itself came over HTTPS
    REMEMBER_COOKIE_DURATION: int = 60 * 60 * 14
    REMEMBER_COOKIE_SECURE: bool = False  # likewise
    REMEMBER_COOKIE_SAMESITE: str = "Lax"
    REMEMBER_COOKIE_HTTPONLY: bool = True
    SHOPFLOOR_REMEMBER_COOKIE_NAME: str = "shopfloor_remember"  # a random token (auth/sessions.py), not the user id
    # Sign-in throttles (Flask-Limiter); storage "memory://" per process, or e.g. redis://127.0.0.1:6379
    # (needs the redis package) so that every server process counts together.
    RATELIMIT_STORAGE_URI: str = "memory://"
    # Proxies in front of the app (SHOPFLOOR_TRUSTED_PROXIES): each adds X-Forwarded-For / -Proto / -Host, which
    # the app then believes for that many hops (Werkzeug's ProxyFix), so the per-address sign-in throttles see
    # each phone, not the proxy, and cookies are Secure behind a TLS proxy. 0: no proxy, the headers are ignored.
    TRUSTED_PROXIES: int = 0
    RATELIMIT_ENABLED: bool = True
    RATELIMIT_HEADERS_ENABLED: bool = False
    PIN_RATE_PER_ADDRESS: str = "10 per minute;60 per hour"        # PIN and badge attempts from one address
    PASSWORD_RATE_PER_ADDRESS: str = "10 per minute;100 per hour"  # staff password attempts from one address
    PASSWORD_RATE_PER_ACCOUNT: str = "5 per minute;20 per hour"    # wrong passwords for one user name
    WTF_CSRF_TIME_LIMIT: int | None = None
    ONCE_WAIT_SECONDS: float = 3.0  # a form sent twice waits this long for the first one to finish
    # SQLite: synchronous=FULL (a commit survives power loss) instead of NORMAL (it survives an app crash).
    DURABLE: bool = False
    TESTING: bool = False
    # Days a scan queued on a phone stays credited to the operator who made it (signed identity in the item).
    OUTBOX_IDENTITY_DAYS: int = 7
    # Shared phones: an operator's session ends at the end of the shift it was opened in (SHIFT_START +
    # SHIFT_MINUTES, factory time) or after this many minutes without use (0: only at the shift's end).
    OPERATOR_IDLE_MINUTES: int = 60
    # Board colours: output at >= output_good % of target so far is green, >= output_warn amber, else red;
    # DHU >= dhu_bad red, >= dhu_warn amber.
    BOARD_THRESHOLDS: dict = field(default_factory=lambda: dict(BOARD_THRESHOLDS))
    # Board: an open stoppage turns red after this many minutes (SHOPFLOOR_STOP_ALERT_MINUTES).
    STOP_ALERT_MINUTES: int = 10
    # An order's shipping tolerance when it names none (SHOPFLOOR_SHIP_TOLERANCE_PERCENT): short below
    # ordered x (1 - t), excess above ordered x (1 + t); orders/reconciliation.py.
    SHIP_TOLERANCE_PERCENT: Decimal = Decimal("3")
    # Carton labels (SSCC-18): the factory's GS1 company prefix (7-10 digits; GS1's example prefix until set)
    # and the extension digit; the network label printer that takes ZPL ("host" or "host:port", port 9100).
    GS1_COMPANY_PREFIX: str = "0614141"
    SSCC_EXTENSION: int = 1
    LABEL_PRINTER: str = ""

    @classmethod
    def from_env(cls, instance_path: str | Path) -> "Config":
        instance = Path(instance_path)
        default_db = f"sqlite:///{instance / 'shopfloor.db'}"
        url = os.environ.get("SHOPFLOOR_DATABASE_URL") or os.environ.get("DATABASE_URL") or default_db
        server = ServerSettings.from_env(instance)
        return cls(
            SECRET_KEY=_secret_key(),
            SQLALCHEMY_DATABASE_URI=_normalise_db_url(url),
            PUBLIC_BASE_URL=server.public_base_url,
            LAN_ADDRESS=addresses.phone_address(),
            HTTP_PORT=int(os.environ.get("SHOPFLOOR_PORT") or 8000),
            TLS_PORT=server.tls_port if server.tls_cert else 0,
            LAN_CA_CERT=str(server.lan_tls.ca_cert) if server.lan_tls else "",
            FACTORY_TIMEZONE=os.environ.get("SHOPFLOOR_TIMEZONE", "UTC"),
            BOARD_TOKEN=os.environ.get("SHOPFLOOR_BOARD_TOKEN") or "",  # empty: the database's (instance_secrets)
            WAGE_PER_MINUTE=_money("SHOPFLOOR_WAGE_PER_MINUTE", "0.05"),
            CURRENCY=_currency(),
            MINIMUM_WAGE_PER_DAY=_money("SHOPFLOOR_MINIMUM_WAGE_PER_DAY", "20"),
            OFF_STANDARD_RATE_PER_MINUTE=_money("SHOPFLOOR_OFF_STANDARD_RATE_PER_MINUTE",
                                                os.environ.get("SHOPFLOOR_WAGE_PER_MINUTE", "0.05")),
            OVERTIME_PREMIUM=_money("SHOPFLOOR_OVERTIME_PREMIUM", "0.5"),
            SESSION_COOKIE_SECURE=os.environ.get("SHOPFLOOR_SECURE_COOKIES", "") == "1",
            DURABLE=os.environ.get("SHOPFLOOR_DURABLE", "") == "1",
            REMEMBER_COOKIE_SECURE=os.environ.get("SHOPFLOOR_SECURE_COOKIES", "") == "1",
            RATELIMIT_STORAGE_URI=os.environ.get("SHOPFLOOR_RATELIMIT_STORAGE") or "memory://",
            TRUSTED_PROXIES=_whole_minutes("SHOPFLOOR_TRUSTED_PROXIES", 0, unit="proxies"),
            PIN_RATE_PER_ADDRESS=os.environ.get("SHOPFLOOR_PIN_RATE_PER_ADDRESS") or Config.PIN_RATE_PER_ADDRESS,
            PASSWORD_RATE_PER_ADDRESS=(os.environ.get("SHOPFLOOR_PASSWORD_RATE_PER_ADDRESS")
                                       or Config.PASSWORD_RATE_PER_ADDRESS),
            PASSWORD_RATE_PER_ACCOUNT=(os.environ.get("SHOPFLOOR_PASSWORD_RATE_PER_ACCOUNT")
                                       or Config.PASSWORD_RATE_PER_ACCOUNT),
            BOARD_THRESHOLDS=_thresholds(),
            OPERATOR_IDLE_MINUTES=_whole_minutes("SHOPFLOOR_OPERATOR_IDLE_MINUTES", Config.OPERATOR_IDLE_MINUTES),
            STOP_ALERT_MINUTES=_whole_minutes("SHOPFLOOR_STOP_ALERT_MINUTES", Config.STOP_ALERT_MINUTES),
            ATTENDANCE_SOURCE=_attendance_source(),
            LATE_AFTER_MINUTES=_whole_minutes("SHOPFLOOR_LATE_AFTER_MINUTES", Config.LATE_AFTER_MINUTES),
            SHIP_TOLERANCE_PERCENT=_money("SHOPFLOOR_SHIP_TOLERANCE_PERCENT", "3"),
            GS1_COMPANY_PREFIX=_digits("SHOPFLOOR_GS1_COMPANY_PREFIX", Config.GS1_COMPANY_PREFIX, 7, 10),
            SSCC_EXTENSION=int(_digits("SHOPFLOOR_SSCC_EXTENSION", str(Config.SSCC_EXTENSION), 1, 1)),
            LABEL_PRINTER=os.environ.get("SHOPFLOOR_LABEL_PRINTER", "").strip(),
        )

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def _digits(name: str, default: str, shortest: int, longest: int) -> str:
    """A code of digits only (a GS1 prefix, an extension digit); anything else stops the start with its name."""
    value = os.environ.get(name, "").strip() or default
    if not (value.isascii() and value.isdigit() and shortest <= len(value) <= longest):
        raise ValueError(f"{name} must be {shortest}-{longest} digits, not {value!r}")
    return value


def child_environment(**extra: str) -> dict[str, str]:
    """The environment for a child process (pg_dump, pg_restore), with `extra` added, e.g. PGPASSWORD
    so that no password appears on a command line."""
    return {**os.environ, **extra}


def _flag(name: str, default: str) -> bool:
    return os.environ.get(name, default).strip() not in ("", "0", "no", "off", "false")


@dataclass(frozen=True)
class ServerSettings:
    """The HTTP server's settings (granian, started by shopfloor/server.py for `make run`, the tests and the bench)."""
    workers: int  # SHOPFLOOR_WORKERS: processes; default one per core
    threads: int  # SHOPFLOOR_THREADS: threads per process that run the app; default 1 (the event loop's own)
    backpressure: int  # SHOPFLOOR_BACKPRESSURE: connections one process holds (idle kept-alive ones count); more wait
    keepalive: bool  # SHOPFLOOR_KEEPALIVE=0 closes every connection after one answer (HTTP/1 keep-alive off)
    header_timeout: float  # SHOPFLOOR_HEADER_TIMEOUT: seconds to send a whole request head (also: keep-alive idle)
    body_timeout: float  # SHOPFLOOR_BODY_TIMEOUT: seconds it has to send the whole body (then 408, closed)
    max_body: int  # SHOPFLOOR_MAX_BODY: bytes of request body accepted (more: 413)
    stop_timeout: int  # SHOPFLOOR_STOP_TIMEOUT: seconds a worker may take to finish its requests on stop
    access_log: bool  # SHOPFLOOR_ACCESS_LOG=1: one line per request on standard output
    tls_cert: str | None  # SHOPFLOOR_TLS_CERT and SHOPFLOOR_TLS_KEY (PEM; the key in PKCS#8): HTTPS ...
    tls_key: str | None
    tls_port: int  # ... on SHOPFLOOR_TLS_PORT (default 8443), beside plain HTTP on the port `make run` binds
    # Without SHOPFLOOR_TLS_CERT: the machine's own certificate, made and renewed in instance/tls
    # (shopfloor/lan/certificates.py); SHOPFLOOR_TLS=0 serves plain HTTP only.
    lan_tls: TLSFiles | None
    public_base_url: str  # SHOPFLOOR_BASE_URL (its host is also named in the machine's own certificate)
    worker: bool  # SHOPFLOOR_WORKER=0: no background worker beside the server (run `flask worker` apart, or none)

    @classmethod
    def from_env(cls, instance: Path | None = None) -> "ServerSettings":
        env = os.environ.get
        cert, key = env("SHOPFLOOR_TLS_CERT") or None, env("SHOPFLOOR_TLS_KEY") or None
        if bool(cert) != bool(key):
            raise ValueError("SHOPFLOOR_TLS_CERT and SHOPFLOOR_TLS_KEY must be set together")
        lan_tls = None
        if not cert and _flag("SHOPFLOOR_TLS", "1"):
            lan_tls = TLSFiles.under(instance or instance_path())
            cert, key = str(lan_tls.cert), str(lan_tls.key)
        return cls(workers=int(env("SHOPFLOOR_WORKERS") or os.cpu_count() or 1),
                   threads=int(env("SHOPFLOOR_THREADS", "1")),
                   backpressure=int(env("SHOPFLOOR_BACKPRESSURE", "1024")),
                   keepalive=_flag("SHOPFLOOR_KEEPALIVE", "1"),
                   header_timeout=float(env("SHOPFLOOR_HEADER_TIMEOUT", "10")),
                   body_timeout=float(env("SHOPFLOOR_BODY_TIMEOUT", "10")),
                   max_body=int(env("SHOPFLOOR_MAX_BODY", str(1 << 20))),
                   stop_timeout=int(env("SHOPFLOOR_STOP_TIMEOUT", "10")),
                   access_log=_flag("SHOPFLOOR_ACCESS_LOG", ""),
                   tls_cert=cert, tls_key=key,
                   tls_port=int(env("SHOPFLOOR_TLS_PORT", "8443")),
                   lan_tls=lan_tls, public_base_url=env("SHOPFLOOR_BASE_URL", "").strip().rstrip("/"),
                   worker=_flag("SHOPFLOOR_WORKER", "1"))
