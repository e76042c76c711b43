"""Engine and sessions: one session per unit of work, never a module-level one.

Connections are pooled for SQLite too. SQLAlchemy 1.4 gives a SQLite file
no pool (NullPool): each unit of work opened the file again and ran the
three PRAGMAs, which was most of the database time of a customer turn
(issue #10). A pooled connection keeps them; SQLite still serialises
writers itself (WAL, busy_timeout), and the pool rolls back whatever a
returned connection left open, as for PostgreSQL.
"""

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
from sqlalchemy.pool import QueuePool

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


# A process runs database work on at most a handful of threads at once (asyncio's default executor).
POOL_SIZE = 5
POOL_OVERFLOW = 10


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    """One engine per database URL, shared by the whole process."""
    if url.startswith("sqlite:///"):
        database = url[len("sqlite:///"):]
        if database and database != ":memory:":
            _private_sqlite_file(Path(database))
        pooled = {"poolclass": QueuePool, "pool_size": POOL_SIZE, "max_overflow": POOL_OVERFLOW} \
            if database and database != ":memory:" else {}
        engine = create_engine(url, future=True, connect_args={"check_same_thread": False}, **pooled)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, future=True, pool_pre_ping=True, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW)


def default_engine() -> Engine:
    return engine_for(load_settings().database_url)


@lru_cache(maxsize=8)
def _session_factory(engine: Engine) -> sessionmaker:
    return sessionmaker(bind=engine, future=True, expire_on_commit=False)


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """A transaction: committed when the block ends, rolled back on error."""
    session = _session_factory(engine or default_engine())()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
