"""Fixtures that start the real assistant (see bot.devserver)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, text

from bot.config import load_settings
from bot.devserver import RunningAssistant, free_port, start_assistant, stop_assistant
from bot.store.db import engine_for
from bot.modelfiles import current_model_path
from tests.fake_platform import FakePlatform
from tests.mailbox import RecordingMailbox


@pytest.fixture(scope="session")
def smtp_server():
    """A real SMTP server on loopback; the assistant sends its one-time codes here."""
    mailbox = RecordingMailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, mailbox
    controller.stop()


@pytest.fixture(scope="session")
def model_path() -> Path:
    path = current_model_path(load_settings().models_dir)
    if not path.exists():
        pytest.fail(f"no trained model at {path}: run the tests with ./madoguchi test, which trains it")
    return path


@pytest.fixture(scope="session")
def fake_platform():
    """The LINE and Telegram APIs as a local server that records what the channels send."""
    platform = FakePlatform().start()
    yield platform
    platform.stop()


# Channel secrets for the test run only; the channels read them from the environment.
CHANNEL_TEST_ENV = {
    "LINE_CHANNEL_SECRET": "test-line-channel-secret",
    "LINE_CHANNEL_ACCESS_TOKEN": "test-line-access-token",
    "TELEGRAM_BOT_TOKEN": "123456:TEST-telegram-token",
    "TELEGRAM_SECRET_TOKEN": "test-telegram-secret-token",
}
# REST as in production: a token, behind a proxy on this machine whose X-Forwarded-For is believed
# (bot.devserver.RunningAssistant.rest_headers gives each test sender an address of its own).
REST_TEST_ENV = {
    "MADOGUCHI_REST_TOKEN": "test-rest-token",
    "MADOGUCHI_TRUSTED_PROXIES": "127.0.0.1",
}


@pytest.fixture(scope="session")
def assistant(model_path, tmp_path_factory, smtp_server, fake_platform) -> RunningAssistant:
    var_dir = tmp_path_factory.mktemp("assistant")
    controller, _ = smtp_server
    process, running = start_assistant(var_dir, {
        # The loopback test server offers no STARTTLS, which is on unless turned off.
        "SMTP_HOST": controller.hostname, "SMTP_PORT": str(controller.port), "SMTP_STARTTLS": "false",
        "LINE_API_BASE": fake_platform.url, "TELEGRAM_API_BASE": fake_platform.url,
        **CHANNEL_TEST_ENV, **REST_TEST_ENV,
    })
    yield running
    stop_assistant(process)


# The fast tier (`./madoguchi test --fast`) is `-m "not model and not server and not browser"`.
# Tests are put in the slow tiers by the fixtures they use, so a new test cannot forget its marker.
MARKERS_OF_FIXTURE = {
    "model_path": ("model",),
    "assistant": ("model", "server"),
    "console": ("server",),
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        for fixture in item.fixturenames:
            for marker in MARKERS_OF_FIXTURE.get(fixture, ()):
                item.add_marker(marker)


IN_CI = os.environ.get("CI", "").lower() == "true"
POSTGRES_ADMIN_URL = os.environ.get("MADOGUCHI_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture
def shop_database(tmp_path, monkeypatch) -> str:
    """A migrated SQLite shop database of this test's own, as the default for in-process code."""
    from bot.store.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'shop.db'}"
    upgrade(url)
    monkeypatch.setenv("DATABASE_URL", url)
    return url


REDIS_TEST_URL = os.environ.get("MADOGUCHI_TEST_REDIS", "redis://127.0.0.1:6379/0")


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The machine's Redis; skips the test where there is none (never in CI). Tests use prefixes of their own."""
    import redis

    try:
        redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=2).ping()
    except (redis.RedisError, OSError) as error:
        if IN_CI:
            raise
        pytest.skip(f"Redis not reachable at {REDIS_TEST_URL} ({type(error).__name__}); these tests run in CI")
    return REDIS_TEST_URL


_ADMIN_ENGINE = None


def postgres_admin_engine():
    """An AUTOCOMMIT engine on the machine's PostgreSQL; skips the test where there is none (never in CI)."""
    global _ADMIN_ENGINE
    if _ADMIN_ENGINE is not None:
        return _ADMIN_ENGINE
    try:
        admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        admin.connect().close()
    except Exception as error:  # noqa: BLE001 - any connection failure means "no server here"
        if IN_CI:
            raise
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL} ({type(error).__name__}); "
                    "these tests run in CI")
    _ADMIN_ENGINE = admin
    return admin


def _postgres_database_url(name: str) -> str:
    return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(scope="session")
def _postgres_template():
    """One database migrated to the newest schema, the template every test's database is copied from.

    Copying a template takes a fraction of running every migration again for
    each of the hundred-odd PostgreSQL tests: the fast tier stays fast.
    """
    from bot.store.migrate import upgrade

    admin = postgres_admin_engine()
    name = f"madoguchi_template_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = _postgres_database_url(name)
    upgrade(url)
    engine_for(url).dispose()  # a template must have no open connections to be copied
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def postgres_url(_postgres_template):
    """A fresh database on the machine's PostgreSQL at the newest schema (no rows), dropped afterwards."""
    admin = postgres_admin_engine()
    name = f"madoguchi_test_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{_postgres_template}"'))
    yield _postgres_database_url(name)
    engine_for.cache_clear()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
