"""Settings from environment variables, with embedded defaults for one machine.

Every value a shop may change lives here, so there is one place to read what
can be configured. Secrets are only ever read from the environment.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from bot.clients import parse_trusted_proxies

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _path_from_env(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value) if value else default


@dataclass(frozen=True)
class Settings:
    """Where things live and how the servers are bound."""

    var_dir: Path
    database_url: str
    models_dir: Path
    demo_shop_file: Path
    host: str
    rasa_port: int
    action_port: int
    business_hours: tuple[int, int]
    # A handed-off conversation gets its first human reply within this many hours…
    first_reply_hours: int
    # …and within this many minutes when it arrives in business hours.
    business_reply_minutes: int
    web_port: int
    # Proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (bot.clients).
    trusted_proxies: tuple = ()
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
    var_dir = _path_from_env("MADOGUCHI_VAR_DIR", PROJECT_ROOT / "var")
    default_db = f"sqlite:///{var_dir / 'madoguchi.db'}"
    start, end = (int(h) for h in os.environ.get("MADOGUCHI_BUSINESS_HOURS", "9-18").split("-"))
    return Settings(
        var_dir=var_dir,
        database_url=os.environ.get("DATABASE_URL", default_db),
        models_dir=_path_from_env("MADOGUCHI_MODELS_DIR", PROJECT_ROOT / "models"),
        demo_shop_file=_path_from_env("MADOGUCHI_DEMO_SHOP", PROJECT_ROOT / "data" / "demo_shop.yml"),
        host=os.environ.get("MADOGUCHI_HOST", "127.0.0.1"),
        rasa_port=int(os.environ.get("MADOGUCHI_RASA_PORT", "5005")),
        action_port=int(os.environ.get("MADOGUCHI_ACTION_PORT", "5055")),
        business_hours=(start, end),
        first_reply_hours=int(os.environ.get("MADOGUCHI_FIRST_REPLY_HOURS", "24")),
        business_reply_minutes=int(os.environ.get("MADOGUCHI_BUSINESS_REPLY_MINUTES", "60")),
        web_port=int(os.environ.get("MADOGUCHI_WEB_PORT", "8000")),
        trusted_proxies=parse_trusted_proxies(os.environ.get("MADOGUCHI_TRUSTED_PROXIES", "")),
        messages_per_minute=int(os.environ.get("MADOGUCHI_MESSAGES_PER_MINUTE", "30")),
        tickets_per_client_per_day=int(os.environ.get("MADOGUCHI_TICKETS_PER_CLIENT_PER_DAY", "3")),
        web_session_idle_hours=float(os.environ.get("MADOGUCHI_WEB_SESSION_IDLE_HOURS", "24")),
        request_max_bytes=int(os.environ.get("MADOGUCHI_REQUEST_MAX_BYTES", str(64 * 1024))),
    )


def rest_token() -> str | None:
    """MADOGUCHI_REST_TOKEN: the bearer token every REST request must carry; None leaves REST open.

    A function, not a Settings field, so the secret never shows in a printed Settings.
    """
    return os.environ.get("MADOGUCHI_REST_TOKEN") or None


def is_loopback_host(host: str) -> bool:
    """True for an interface only this machine can reach (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
