"""Engine and sessions: one session per unit of work, never a module-level one."""

from __future__ import annotations

import os
import stat
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.config import load_settings


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """Foreign keys on; WAL so readers never wait for the writer; a writer waits up to 5 s for another.

    ``synchronous=NORMAL`` is SQLite's own advice for WAL: the database is never
    corrupted, and a commit survives the application crashing; only a power loss
    in the moment after a commit can take that last commit back. FULL waited for
    the disk at every commit, several times a customer turn (and most of the
    fast test tier's time). A shop that cannot accept that runs on PostgreSQL.
    """
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _private_sqlite_file(path: Path) -> None:
    """Create the database file 0600 before SQLite would (with the umask), and take group/other off an old one.

    SQLite gives its -wal and -shm files the database file's mode, so they
    are private too. The database holds customers' personal data.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            mode = stat.S_IMODE(file.stat().st_mode)
        except FileNotFoundError:
            continue
        if mode & 0o077:
            file.chmod(mode & 0o700)


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    """One engine per database URL, shared by the whole process."""
    if url.startswith("sqlite:///"):
        database = url[len("sqlite:///"):]
        if database and database != ":memory:":
            _private_sqlite_file(Path(database))
        engine = create_engine(url, future=True, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, future=True, pool_pre_ping=True)


def default_engine() -> Engine:
    return engine_for(load_settings().database_url)


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """A transaction: committed when the block ends, rolled back on error."""
    factory = sessionmaker(bind=engine or default_engine(), future=True, expire_on_commit=False)
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
