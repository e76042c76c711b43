"""Configuration: every environment variable the project reads, in one place.

Like Starlette's ``config.py``: code never reads ``os.environ`` itself, it
asks ``env(NAME)`` here, and NAME must be declared in ``VARIABLES`` with its
default and meaning. So there is one place to read what can be configured,
and a test checks that every declared variable is in the README's table.
Embedded defaults make one machine work with nothing set; secrets have no
default and are only ever read from the environment.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from bot.business_calendar import (
    DEFAULT_BUSINESS_HOURS,
    DEFAULT_CLOSED_DAYS,
    BusinessCalendar,
    parse_business_hours,
    parse_closures,
)
from bot.clients import parse_trusted_proxies

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Variable:
    """One environment variable: its name, its default (None: unset) and what it means."""

    name: str
    default: str | None
    meaning: str
    secret: bool = False
    # Set but empty means "none" (no closures), not "use the default".
    empty_is_a_value: bool = False


VARIABLES: dict[str, Variable] = {v.name: v for v in (
    Variable("DATABASE_URL", None, "the shop database; default sqlite:///var/madoguchi.db"),
    Variable("REDIS_URL", None, "Redis for several replicas (lock store, socket.io, limits); "
             "unset: kept in one process"),
    Variable("MADOGUCHI_REDIS_PREFIX", "madoguchi", "prefix of every Redis key this shop writes"),
    Variable("MADOGUCHI_VAR_DIR", None, "runtime state (shop DB, Rasa tracker DB, secret key); default var/"),
    Variable("MADOGUCHI_MODELS_DIR", None, "where trained models are kept; default models/"),
    Variable("MADOGUCHI_DEMO_SHOP", None, "the demo shop loaded by set-up; default data/demo_shop.yml"),
    Variable("MADOGUCHI_FAQ_FILE", None, "the shop's FAQ, read by training and edited in the console; "
                                         "default data/faq.yml"),
    Variable("MADOGUCHI_HOST", "127.0.0.1", "interface the servers bind to"),
    Variable("MADOGUCHI_RASA_PORT", "5005", "Rasa server port (REST, LINE, Telegram, socket.io)"),
    Variable("MADOGUCHI_ACTION_PORT", "5055", "action server port"),
    Variable("MADOGUCHI_WEB_PORT", "8000", "chat widget page and agents' console"),
    Variable("MADOGUCHI_ENDPOINTS", "endpoints.yml", "Rasa endpoints file"),
    Variable("MADOGUCHI_CREDENTIALS", "credentials.yml", "Rasa channels file"),
    Variable("RASA_AUTH_TOKEN", None, "enables Rasa's HTTP API, protected by this token", secret=True),
    Variable("MADOGUCHI_BUSINESS_HOURS", DEFAULT_BUSINESS_HOURS, "business hours for reply deadlines, per weekday"),
    Variable("MADOGUCHI_REPLY_HOURS", "", "the shop's own first-reply targets per issue type"),
    Variable("MADOGUCHI_CLOSED_DAYS", DEFAULT_CLOSED_DAYS, "the shop's own closures besides public holidays",
             empty_is_a_value=True),
    Variable("MADOGUCHI_ALERT_LATE_ORDERS", "3", "a product is flagged when this many orders are 48 h late"),
    Variable("MADOGUCHI_ALERT_DEFECT_TROUBLES", "2", "…or has this many defect or safety troubles"),
    Variable("MADOGUCHI_FIRST_REPLY_HOURS", "24", "a handed-off conversation's first human reply, at the latest"),
    Variable("MADOGUCHI_BUSINESS_REPLY_MINUTES", "60", "…and in business hours (and for urgent tickets)"),
    Variable("MADOGUCHI_TRUSTED_PROXIES", "", "proxies whose X-Forwarded-For / -Proto are believed"),
    Variable("MADOGUCHI_VERIFICATION_MINUTES", "30", "a verified conversation stays verified this long"),
    Variable("MADOGUCHI_REST_TOKEN", None, "bearer token every REST request must carry", secret=True),
    Variable("MADOGUCHI_MESSAGES_PER_MINUTE", "30", "messages one client may send a minute"),
    Variable("MADOGUCHI_TICKETS_PER_CLIENT_PER_DAY", "3", "open tickets one client may cause in 24 hours"),
    Variable("MADOGUCHI_WEB_SESSION_IDLE_HOURS", "24", "a widget conversation idle this long is over"),
    Variable("MADOGUCHI_REQUEST_MAX_BYTES", "65536", "largest request body the Rasa server accepts"),
    Variable("MADOGUCHI_COOKIE_SECURE", "false", "true: console cookies only over HTTPS (behind the TLS proxy)"),
    Variable("MADOGUCHI_WIDGET_SOCKET_URL", None, "where the widget page opens its socket; default the Rasa URL"),
    Variable("MADOGUCHI_WEB_ORIGINS", None, "pages allowed to open the widget's socket; default the widget page"),
    Variable("MADOGUCHI_SECRET", None, "key for HMACs of verification attempts, codes, client addresses; "
             "default generated into var/secret.key", secret=True),
    Variable("SMTP_HOST", None, "mail server for one-time codes; unset: written to var/outbox/"),
    Variable("SMTP_PORT", "25", "mail server port"),
    Variable("SMTP_FROM", None, "sender address of the shop's mails"),
    Variable("SMTP_USER", None, "mail server login"),
    Variable("SMTP_PASSWORD", None, "mail server password", secret=True),
    Variable("SMTP_STARTTLS", "true", "STARTTLS before logging in; false only for a server on loopback"),
    Variable("LINE_CHANNEL_SECRET", None, "LINE channel secret (webhook signatures)", secret=True),
    Variable("LINE_CHANNEL_ACCESS_TOKEN", None, "LINE channel access token", secret=True),
    Variable("LINE_API_BASE", None, "LINE API server; default LINE's own"),
    Variable("TELEGRAM_BOT_TOKEN", None, "Telegram bot token", secret=True),
    Variable("TELEGRAM_SECRET_TOKEN", None, "Telegram webhook secret token", secret=True),
    Variable("TELEGRAM_API_BASE", None, "Telegram Bot API server; default Telegram's own"),
)}


def env(name: str) -> str | None:
    """The variable's value, or its declared default; every read of the environment goes through here.

    An undeclared name is a programming error (KeyError), so a new variable
    cannot be read without being declared and documented.
    """
    variable = VARIABLES[name]
    value = os.environ.get(name)
    if value is None or (value == "" and not variable.empty_is_a_value):
        return variable.default
    return value


def _env_number(name: str, cast, what: str):
    value = env(name)
    try:
        return cast(value or "")
    except ValueError:
        raise ValueError(f"{name} must be {what}, not {value!r}") from None


def env_int(name: str) -> int:
    return _env_number(name, int, "a whole number")


def env_float(name: str) -> float:
    return _env_number(name, float, "a number")


def env_flag(name: str) -> bool:
    """A yes/no variable: true/1/yes/on or false/0/no/off; anything else stops the start with the reason."""
    value = (env(name) or "").strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("", "0", "false", "no", "off"):
        return False
    raise ValueError(f"{name} must be true or false, not {value!r}")


def env_path(name: str, default: Path) -> Path:
    value = env(name)
    return Path(value) if value else default


def faq_file(root: Path = PROJECT_ROOT) -> Path:
    """The shop's FAQ: training reads it, the console edits it, the model's fingerprint covers it."""
    return env_path("MADOGUCHI_FAQ_FILE", root / "data" / "faq.yml")


@dataclass(frozen=True)
class Settings:
    """Where things live and how the servers are bound."""

    var_dir: Path
    database_url: str
    models_dir: Path
    demo_shop_file: Path
    faq_file: Path
    host: str
    rasa_port: int
    action_port: int
    # Business hours per weekday, Japanese public holidays and the shop's own closures.
    calendar: BusinessCalendar
    # A handed-off conversation gets its first human reply within this many hours…
    first_reply_hours: int
    # …and within this many minutes when it arrives in business hours.
    business_reply_minutes: int
    web_port: int
    # Proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (bot.clients).
    trusted_proxies: tuple = ()
    # The console's session cookie carries Secure even when no trusted proxy says https.
    cookie_secure: bool = False
    # Product alerts (bot.reports): this many orders over 48 hours late, or this many defect/safety troubles.
    alert_late_orders: int = 3
    alert_defect_troubles: int = 2
    # A client (address, or platform user) may send this many messages a minute (bot.channels.turn).
    messages_per_minute: int = 30
    # Open tickets one client may cause in 24 hours; more would let a stranger flood the agents' queue.
    tickets_per_client_per_day: int = 3
    # A web widget conversation idle this long is over: a shared PC must not hand it to the next person.
    web_session_idle_hours: float = 24.0
    # Largest request body the Rasa server accepts (its Sanic REQUEST_MAX_SIZE), in bytes.
    request_max_bytes: int = 64 * 1024

    @property
    def web_url(self) -> str:
        return f"http://{self.host}:{self.web_port}"

    @property
    def rasa_url(self) -> str:
        return f"http://{self.host}:{self.rasa_port}"

    @property
    def rest_webhook_url(self) -> str:
        return f"http://{self.host}:{self.rasa_port}/webhooks/rest/webhook"


def load_settings() -> Settings:
    var_dir = env_path("MADOGUCHI_VAR_DIR", PROJECT_ROOT / "var")
    return Settings(
        var_dir=var_dir,
        database_url=env("DATABASE_URL") or f"sqlite:///{var_dir / 'madoguchi.db'}",
        models_dir=env_path("MADOGUCHI_MODELS_DIR", PROJECT_ROOT / "models"),
        demo_shop_file=env_path("MADOGUCHI_DEMO_SHOP", PROJECT_ROOT / "data" / "demo_shop.yml"),
        faq_file=faq_file(),
        host=env("MADOGUCHI_HOST"),
        rasa_port=env_int("MADOGUCHI_RASA_PORT"),
        action_port=env_int("MADOGUCHI_ACTION_PORT"),
        calendar=business_calendar(),
        first_reply_hours=env_int("MADOGUCHI_FIRST_REPLY_HOURS"),
        business_reply_minutes=env_int("MADOGUCHI_BUSINESS_REPLY_MINUTES"),
        web_port=env_int("MADOGUCHI_WEB_PORT"),
        trusted_proxies=parse_trusted_proxies(env("MADOGUCHI_TRUSTED_PROXIES")),
        cookie_secure=env_flag("MADOGUCHI_COOKIE_SECURE"),
        alert_late_orders=env_int("MADOGUCHI_ALERT_LATE_ORDERS"),
        alert_defect_troubles=env_int("MADOGUCHI_ALERT_DEFECT_TROUBLES"),
        messages_per_minute=env_int("MADOGUCHI_MESSAGES_PER_MINUTE"),
        tickets_per_client_per_day=env_int("MADOGUCHI_TICKETS_PER_CLIENT_PER_DAY"),
        web_session_idle_hours=env_float("MADOGUCHI_WEB_SESSION_IDLE_HOURS"),
        request_max_bytes=env_int("MADOGUCHI_REQUEST_MAX_BYTES"),
    )


def business_calendar() -> BusinessCalendar:
    """``MADOGUCHI_BUSINESS_HOURS`` (``9-18`` or ``mon-fri=9-18,sat=10-15``) and
    ``MADOGUCHI_CLOSED_DAYS`` (``12/29-1/3,8/13-8/16,2027/5/6``); public holidays are always closed."""
    return BusinessCalendar(
        hours=parse_business_hours(env("MADOGUCHI_BUSINESS_HOURS")),
        closures=parse_closures(env("MADOGUCHI_CLOSED_DAYS")),
    )


def verification_minutes() -> int:
    """How long a verified conversation stays verified (MADOGUCHI_VERIFICATION_MINUTES, default 30).

    Both levels (order digits and the mailed code) end this long after the
    last proof, so a conversation that goes quiet, or survives a failed
    session start, is a stranger again.
    """
    minutes = env_int("MADOGUCHI_VERIFICATION_MINUTES")
    if minutes < 1:
        raise ValueError(f"MADOGUCHI_VERIFICATION_MINUTES must be a whole number of minutes, not {minutes!r}")
    return minutes


def rest_token() -> str | None:
    """MADOGUCHI_REST_TOKEN: the bearer token every REST request must carry; None leaves REST open.

    A function, not a Settings field, so the secret never shows in a printed Settings.
    """
    return env("MADOGUCHI_REST_TOKEN")


def is_loopback_host(host: str) -> bool:
    """True for an interface only this machine can reach (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
