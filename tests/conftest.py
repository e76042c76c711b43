"""Fixtures that start the real assistant (see bot.devserver)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
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


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium through Playwright (never a downloaded browser), one per test module.

    Not one per session: Playwright's sync API keeps an asyncio loop running in the main thread while
    it is open, and every later test that calls asyncio.run() would fail ("cannot be called from a
    running event loop"); 23 did.
    """
    from tests.chromium import CHROMIUM, CHROMIUM_ARGS

    if not CHROMIUM.exists():
        if IN_CI:
            pytest.fail(f"{CHROMIUM} is missing: ./madoguchi test installs Debian's chromium when run as root")
        pytest.skip(f"{CHROMIUM} not found; install Debian's chromium (sudo apt-get install chromium) "
                    "to run the browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# The fast tier (`./madoguchi test --fast`) is `-m "not model and not server and not browser"`.
# Tests are put in the slow tiers by the fixtures they use, so a new test cannot forget its marker.
MARKERS_OF_FIXTURE = {
    "browser": ("browser",),
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


# Property tests assert what the code does, not how fast: Hypothesis's 200 ms deadline per example
# failed them on a loaded machine (316 ms once, 0.5 ms on the retry).
hypothesis_settings.register_profile("madoguchi", deadline=None)
hypothesis_settings.load_profile("madoguchi")


def property_examples(full: int) -> int:
    """Examples a property test (Hypothesis) tries: ``full`` in CI, a quarter on a developer's checkout.

    The privacy properties are worth thousands of generated writings on every
    CI run; while you work, a quarter of them keeps the fast tier under a
    minute and still catches a broken rule (each writing family is drawn many
    times). ``CI=true ./madoguchi test --fast`` runs them all locally.
    """
    return full if IN_CI else max(25, full // 4)
POSTGRES_ADMIN_URL = os.environ.get("MADOGUCHI_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


# ---------------------------------------------------------------------------
# Test databases: the one home for them. Each kind (empty at the newest schema, or with the demo
# shop loaded) is built once per pytest worker and copied for each test: a file copy or
# PostgreSQL's CREATE DATABASE … TEMPLATE takes milliseconds where migrating and seeding again
# took most of the fast tier's time.
# ---------------------------------------------------------------------------

def _build_template(url: str, with_demo_shop: bool) -> None:
    """Migrate ``url`` to the newest schema, load the demo shop if asked, and close every connection
    (a PostgreSQL template must have none to be copied; SQLite then checkpoints its WAL)."""
    from bot.store.db import session_scope
    from bot.store.migrate import upgrade
    from bot.store.seed import load_demo_shop, seed

    upgrade(url)
    if with_demo_shop:
        with session_scope(engine_for(url)) as session:
            seed(session, load_demo_shop(load_settings().demo_shop_file))
    engine_for(url).dispose()


def _build_sqlite(path: Path, with_demo_shop: bool) -> Path:
    import sqlite3

    _build_template(f"sqlite:///{path}", with_demo_shop)
    with sqlite3.connect(path) as connection:  # everything in the main file, nothing left in the WAL
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture(scope="session")
def _sqlite_templates(tmp_path_factory) -> dict[bool, Path]:
    folder = tmp_path_factory.mktemp("templates")
    return {False: _build_sqlite(folder / "empty.db", False), True: _build_sqlite(folder / "demo.db", True)}


def sqlite_copy(templates: dict[bool, Path], folder: Path, with_demo_shop: bool, name: str = "shop.db") -> str:
    import shutil

    target = folder / name
    shutil.copyfile(templates[with_demo_shop], target)
    return f"sqlite:///{target}"


@pytest.fixture
def shop_database(_sqlite_templates, tmp_path, monkeypatch) -> str:
    """A migrated SQLite shop database of this test's own (no rows), the default for in-process code."""
    url = sqlite_copy(_sqlite_templates, tmp_path, with_demo_shop=False)
    monkeypatch.setenv("DATABASE_URL", url)
    return url


@pytest.fixture
def demo_shop_database(_sqlite_templates, tmp_path, monkeypatch) -> str:
    """Like shop_database, with the demo shop (data/demo_shop.yml) loaded."""
    url = sqlite_copy(_sqlite_templates, tmp_path, with_demo_shop=True)
    monkeypatch.setenv("DATABASE_URL", url)
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def demo_shop_url(request, _sqlite_templates, tmp_path) -> str:
    """The demo shop in a database of this test's own: a SQLite file, then PostgreSQL."""
    if request.param == "postgresql":
        return request.getfixturevalue("demo_postgres_url")
    return sqlite_copy(_sqlite_templates, tmp_path, with_demo_shop=True)


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


def _postgres_template(with_demo_shop: bool):
    """A database migrated to the newest schema (and seeded), the template test databases are copied from."""
    admin = postgres_admin_engine()
    name = f"madoguchi_template_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    _build_template(_postgres_database_url(name), with_demo_shop)
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def _postgres_empty_template():
    yield from _postgres_template(with_demo_shop=False)


@pytest.fixture(scope="session")
def _postgres_demo_template():
    yield from _postgres_template(with_demo_shop=True)


def _postgres_copy(template: str):
    admin = postgres_admin_engine()
    name = f"madoguchi_test_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    url = _postgres_database_url(name)
    with admin.connect() as conn:  # a test database need not wait for its log on disk at every commit
        conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    yield url
    engine_for(url).dispose()
    engine_for.cache_clear()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def postgres_url(_postgres_empty_template):
    """A fresh database on the machine's PostgreSQL at the newest schema (no rows), dropped afterwards."""
    yield from _postgres_copy(_postgres_empty_template)


@pytest.fixture
def demo_postgres_url(_postgres_demo_template):
    """Like postgres_url, with the demo shop loaded."""
    yield from _postgres_copy(_postgres_demo_template)
