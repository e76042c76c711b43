"""The server secret (HMAC pepper) for keys that must not be reversible.

Order numbers, sender ids and one-time codes are stored only as HMACs under
this secret, so a copy of the database alone cannot tell which order or which
customer tried what, nor be brute-forced over the small space of order numbers.
Set MADOGUCHI_SECRET in production; on one machine a random secret is
generated once into ``var/secret.key`` (mode 0600) and reused.
"""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path

from bot.config import Settings, env, load_settings

SECRET_ENV = "MADOGUCHI_SECRET"
SECRET_FILE = "secret.key"


@lru_cache(maxsize=8)
def _secret_from_file(path: Path) -> bytes:
    """Read the key file, creating it atomically (never overwriting) if missing."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="ascii") as f:
                f.write(secrets.token_hex(32) + "\n")
            try:
                os.link(temporary, path)  # atomic; fails if another process was first
            except FileExistsError:
                pass
        finally:
            temporary.unlink(missing_ok=True)
    value = path.read_text(encoding="ascii").strip()
    if not value:
        raise RuntimeError(f"{path} is empty; delete it or set {SECRET_ENV}")
    return value.encode("ascii")


def server_secret(settings: Settings | None = None) -> bytes:
    """The pepper: MADOGUCHI_SECRET if set, else the generated var/secret.key."""
    from_env = env(SECRET_ENV)
    if from_env:
        return from_env.encode("utf-8")
    settings = settings or load_settings()
    return _secret_from_file(Path(settings.var_dir) / SECRET_FILE)
