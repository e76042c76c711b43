"""The server secret and the files under var/: what must hold before a shop goes public.

- On PostgreSQL (several replicas may share it) the servers refuse to start
  without MADOGUCHI_SECRET, saying what to set, before they touch anything.
- The SQLite database (with its -wal and -shm files) and every file the
  running assistant writes under var/ are readable by the shop's user only.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT, load_settings
from bot.secrets import SECRET_ENV, SecretMissing, check_secret_configured, server_secret
from bot.store.db import engine_for, session_scope
from bot.store.migrate import upgrade
from bot.store.models import AuditEntry
from tests.widget import wait_for_web
from bot.handoff import now_utc

# Nothing listens on port 9 (discard): a server that tried to connect before refusing would fail differently.
UNREACHABLE_POSTGRES = "postgresql://madoguchi@127.0.0.1:9/shop"


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# ---------------------------------------------------------------------------
# MADOGUCHI_SECRET with a shared database
# ---------------------------------------------------------------------------

def start_without_secret(command: list[str], var_dir: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != SECRET_ENV}
    env.update({"DATABASE_URL": UNREACHABLE_POSTGRES, "MADOGUCHI_VAR_DIR": str(var_dir)})
    return subprocess.run([sys.executable, "-m", *command], cwd=PROJECT_ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize("command", [["bot", "run"], ["bot.console"]], ids=["madoguchi run", "web server"])
@pytest.mark.server  # starts the real servers
def test_servers_refuse_to_start_on_postgresql_without_madoguchi_secret(command, tmp_path):
    result = start_without_secret(command, tmp_path / "var")
    assert result.returncode == 2, result.stderr[-2000:]
    message = result.stderr
    assert "PostgreSQL" in message and f"Set {SECRET_ENV}" in message and "every server" in message
    assert "Traceback" not in message
    # Refused before anything was made: no per-replica key file.
    assert not (tmp_path / "var" / "secret.key").exists()


def test_the_secret_check_passes_with_the_secret_or_with_sqlite(monkeypatch, tmp_path):
    monkeypatch.setenv("MADOGUCHI_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", UNREACHABLE_POSTGRES)
    monkeypatch.delenv(SECRET_ENV, raising=False)
    with pytest.raises(SecretMissing):
        server_secret()
    for url in ("postgresql+psycopg2://madoguchi@db/shop", "postgres://madoguchi@db/shop"):
        monkeypatch.setenv("DATABASE_URL", url)
        with pytest.raises(SecretMissing):
            check_secret_configured()
    monkeypatch.setenv(SECRET_ENV, "one-value-for-every-replica")
    check_secret_configured()
    assert server_secret() == b"one-value-for-every-replica"
    monkeypatch.delenv(SECRET_ENV)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'shop.db'}")
    check_secret_configured()
    assert len(server_secret(load_settings())) == 64
    assert mode_of(tmp_path / "secret.key") == 0o600


# ---------------------------------------------------------------------------
# Private files
# ---------------------------------------------------------------------------

def test_a_new_sqlite_database_and_its_wal_files_are_private(tmp_path):
    var_dir = tmp_path / "var"
    url = f"sqlite:///{var_dir / 'madoguchi.db'}"
    previous = os.umask(0o022)  # a usual login shell's umask: files would be world-readable
    try:
        upgrade(url)
        # SQLite removes -wal and -shm when the last connection closes: look while one is open.
        with engine_for(url).connect() as connection:
            with session_scope(engine_for(url)) as session:
                session.add(AuditEntry(at=now_utc(), actor="test", action="test_write"))
            connection.exec_driver_sql("SELECT count(*) FROM audit_log").all()
            files = sorted(p.name for p in var_dir.iterdir())
            assert files == ["madoguchi.db", "madoguchi.db-shm", "madoguchi.db-wal"]
            assert {name: mode_of(var_dir / name) for name in files} == dict.fromkeys(files, 0o600)
        assert mode_of(var_dir) == 0o700
    finally:
        os.umask(previous)
        engine_for(url).dispose()


def test_an_existing_readable_database_is_made_private(tmp_path):
    path = tmp_path / "old.db"
    sqlite3.connect(path).close()
    path.chmod(0o644)
    url = f"sqlite:///{path}"
    try:
        engine_for(url)
        assert mode_of(path) == 0o600
    finally:
        engine_for(url).dispose()


@pytest.mark.server
def test_every_file_the_running_assistant_writes_under_var_is_private(assistant):
    wait_for_web(assistant)  # the web server, started last, makes the secret key
    assistant.say(assistant.new_sender(), "注文した荷物がまだ届きません")
    written = [p for p in assistant.var_dir.rglob("*")
               if p.is_file() and p != assistant.log_path]  # the log is the test harness's, not the assistant's
    names = {p.name for p in written}
    assert {"madoguchi.db", "rasa_tracker.db", "secret.key"} <= names, names
    assert {str(p.relative_to(assistant.var_dir)): oct(mode_of(p)) for p in written} == {
        str(p.relative_to(assistant.var_dir)): oct(0o600) for p in written}
