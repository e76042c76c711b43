"""Settings from environment variables, with embedded defaults for one machine.

Every value a shop may change lives here, so there is one place to read what
can be configured. Secrets are only ever read from the environment.
"""

from __future__ import annotations

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
    # Business hours per weekday, Japanese public holidays and the shop's own closures.
    calendar: BusinessCalendar
    # A handed-off conversation gets its first human reply within this many hours…
    first_reply_hours: int
    # …and within this many minutes when it arrives in business hours.
    business_reply_minutes: int
    web_port: int
    # Proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (bot.clients).
    trusted_proxies: tuple = ()
    # Product alerts (bot.reports): this many orders over 48 hours late, or this many defect/safety troubles.
    alert_late_orders: int = 3
    alert_defect_troubles: int = 2

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
    return Settings(
        var_dir=var_dir,
        database_url=os.environ.get("DATABASE_URL", default_db),
        models_dir=_path_from_env("MADOGUCHI_MODELS_DIR", PROJECT_ROOT / "models"),
        demo_shop_file=_path_from_env("MADOGUCHI_DEMO_SHOP", PROJECT_ROOT / "data" / "demo_shop.yml"),
        host=os.environ.get("MADOGUCHI_HOST", "127.0.0.1"),
        rasa_port=int(os.environ.get("MADOGUCHI_RASA_PORT", "5005")),
        action_port=int(os.environ.get("MADOGUCHI_ACTION_PORT", "5055")),
        calendar=business_calendar(),
        first_reply_hours=int(os.environ.get("MADOGUCHI_FIRST_REPLY_HOURS", "24")),
        business_reply_minutes=int(os.environ.get("MADOGUCHI_BUSINESS_REPLY_MINUTES", "60")),
        web_port=int(os.environ.get("MADOGUCHI_WEB_PORT", "8000")),
        trusted_proxies=parse_trusted_proxies(os.environ.get("MADOGUCHI_TRUSTED_PROXIES", "")),
        alert_late_orders=int(os.environ.get("MADOGUCHI_ALERT_LATE_ORDERS", "3")),
        alert_defect_troubles=int(os.environ.get("MADOGUCHI_ALERT_DEFECT_TROUBLES", "2")),
    )


def business_calendar() -> BusinessCalendar:
    """``MADOGUCHI_BUSINESS_HOURS`` (``9-18`` or ``mon-fri=9-18,sat=10-15``) and
    ``MADOGUCHI_CLOSED_DAYS`` (``12/29-1/3,8/13-8/16,2027/5/6``); public holidays are always closed."""
    return BusinessCalendar(
        hours=parse_business_hours(os.environ.get("MADOGUCHI_BUSINESS_HOURS") or DEFAULT_BUSINESS_HOURS),
        closures=parse_closures(os.environ.get("MADOGUCHI_CLOSED_DAYS", DEFAULT_CLOSED_DAYS)),
    )
