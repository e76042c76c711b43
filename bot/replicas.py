"""The production layout of `./madoguchi run --replicas N`: nginx in front, N Rasa replicas, shared stores.

One process (``run`` without ``--replicas``) keeps everything in SQLite and in
memory. Several replicas can only share a shop if everything they remember
lives outside them, so the layout is:

* nginx (Debian's package) on the public ports: the Rasa port spreads REST,
  LINE and Telegram requests over the replicas (``least_conn``; a replica that
  refuses connections is skipped) and keeps socket.io's polling requests of one
  client on one replica (``ip_hash``); the web port goes to the console; an
  internal port spreads the replicas' action calls over the action servers;
* PostgreSQL (``DATABASE_URL``) for the shop data and Rasa's tracker store
  (``endpoints.production.yml``);
* Redis (``REDIS_URL``) for Rasa's lock store (one conversation's messages are
  handled one at a time, whichever replica has them), socket.io between
  replicas, the message limit and the redelivered-id memory
  (``bot.channels.shared``).

Internal ports follow the public ones: replica i listens on the Rasa port + i,
action server i on the action port + i (nginx takes the action port itself),
the console on the web port + 1. On several machines the same picture holds
with other addresses (README, "Several machines").
"""

from __future__ import annotations

import getpass
import os
import socket
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bot.channels.shared import TURN_LOCK_SECONDS
from bot.config import Settings, env

NGINX = "/usr/sbin/nginx"
PRODUCTION_ENDPOINTS = "endpoints.production.yml"
ACTION_BODY_MAX = "64m"  # a tracker and the domain per action call, from the replicas only
LOOPBACK_PROXY = "127.0.0.1"  # nginx talks to the replicas from here: its X-Forwarded-For is believed


class LayoutError(Exception):
    """The layout cannot start; the message says what is missing and how to get it."""


@dataclass(frozen=True)
class Layout:
    """Ports of one machine's layout; the public ones are those of `run` without replicas."""

    replicas: int
    host: str
    rasa_port: int
    action_port: int
    web_port: int

    @property
    def replica_ports(self) -> list[int]:
        return [self.rasa_port + i for i in range(1, self.replicas + 1)]

    @property
    def action_ports(self) -> list[int]:
        return [self.action_port + i for i in range(1, self.replicas + 1)]

    @property
    def console_port(self) -> int:
        return self.web_port + 1

    @property
    def action_url(self) -> str:
        return f"http://127.0.0.1:{self.action_port}/webhook"


def layout_of(settings: Settings, replicas: int) -> Layout:
    if replicas < 1:
        raise LayoutError("--replicas must be 1 or more")
    return Layout(replicas, settings.host, settings.rasa_port, settings.action_port, settings.web_port)


def _parts(url: str, default_port: int):
    parts = urlsplit(url)
    return parts, parts.hostname or "127.0.0.1", parts.port or default_port


def check_services(database_url: str, redis_url: str | None) -> None:
    """LayoutError naming the service that is missing or unreachable (PostgreSQL, Redis, nginx)."""
    if not database_url.startswith(("postgresql://", "postgresql+psycopg2://")):
        raise LayoutError("--replicas needs PostgreSQL for the shop data and Rasa's tracker store: set "
                          "DATABASE_URL=postgresql://user:password@host:5432/database (replicas cannot share "
                          "a SQLite file)")
    if not redis_url or not redis_url.startswith("redis://"):
        raise LayoutError("--replicas needs Redis for Rasa's lock store and socket.io between replicas: set "
                          "REDIS_URL=redis://host:6379/0")
    _, host, port = _parts(database_url, 5432)
    if not _answers(host, port):
        raise LayoutError(f"PostgreSQL is not reachable at {host}:{port} (DATABASE_URL): start it, or correct "
                          "the address")
    _, host, port = _parts(redis_url, 6379)
    if not _answers(host, port):
        raise LayoutError(f"Redis is not reachable at {host}:{port} (REDIS_URL): start it, or correct the address")
    if not os.access(NGINX, os.X_OK):
        raise LayoutError(f"nginx not found at {NGINX}: --replicas puts Debian's nginx in front of the replicas "
                          "(sudo apt-get install nginx; the launcher installs it when run as root)")


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=3):
            return True
    except OSError:
        return False


def rasa_store_env(database_url: str, redis_url: str, action_url: str) -> dict[str, str]:
    """The variables endpoints.production.yml reads, from DATABASE_URL and REDIS_URL."""
    database, db_host, db_port = _parts(database_url, 5432)
    redis, redis_host, redis_port = _parts(redis_url, 6379)
    return {
        "ACTION_SERVER_URL": action_url,
        "TRACKER_DB_HOST": db_host,
        "TRACKER_DB_PORT": str(db_port),
        "TRACKER_DB_NAME": database.path.lstrip("/") or "postgres",
        "TRACKER_DB_USER": unquote(database.username or ""),
        "TRACKER_DB_PASSWORD": unquote(database.password or ""),
        "REDIS_HOST": redis_host,
        "REDIS_PORT": str(redis_port),
        "REDIS_DB": redis.path.lstrip("/") or "0",
        "REDIS_PASSWORD": unquote(redis.password or ""),
        # Rasa's lock store takes letters and digits only (else it silently uses "lock:", shared by every shop)
        "REDIS_KEY_PREFIX": "".join(ch for ch in env("MADOGUCHI_REDIS_PREFIX") or "" if ch.isalnum()) or "madoguchi",
        # Rasa's lock of a conversation, like ours: a replica killed mid-turn holds it this long at most
        "TICKET_LOCK_LIFETIME": str(TURN_LOCK_SECONDS),
    }


def trusted_with_nginx(configured: str | None) -> str:
    """The shop's trusted proxies plus our own nginx, so replicas see each client's own address."""
    listed = [p.strip() for p in (configured or "").split(",") if p.strip()]
    return ",".join(dict.fromkeys([*listed, LOOPBACK_PROXY]))


def nginx_config(layout: Layout, run_dir: Path, body_max_bytes: int) -> str:
    """nginx.conf for the layout, with every path under ``run_dir`` (no system files, no service)."""
    user = f"user {getpass.getuser()};\n" if os.geteuid() == 0 else ""
    temp = "\n".join(f"    {kind}_temp_path {run_dir / kind};" for kind in
                     ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    replicas = "\n".join(f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;"
                         for port in layout.replica_ports)
    actions = "\n".join(f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;"
                        for port in layout.action_ports)
    proxied = """            proxy_http_version 1.1;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $forwarded_proto;"""
    return f"""# Written by `./madoguchi run --replicas {layout.replicas}`; rewritten on every start.
{user}worker_processes 1;
daemon off;
pid {run_dir / 'nginx.pid'};
error_log {run_dir / 'error.log'} warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
{temp}
    client_max_body_size {body_max_bytes};
    proxy_read_timeout 120s;
    map $http_upgrade $connection_upgrade {{ default upgrade; '' ''; }}
    map $http_x_forwarded_proto $forwarded_proto {{ default $http_x_forwarded_proto; '' $scheme; }}
    upstream rasa {{
        least_conn;
{replicas}
        keepalive 64;
    }}
    upstream rasa_sticky {{
        ip_hash;
{replicas}
    }}
    upstream actions {{
        least_conn;
{actions}
        keepalive 32;
    }}
    upstream console {{
        server 127.0.0.1:{layout.console_port};
        keepalive 8;
    }}
    server {{
        listen {layout.host}:{layout.rasa_port};
        location /socket.io/ {{
            proxy_pass http://rasa_sticky;
{proxied}
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
        }}
        location / {{
            proxy_pass http://rasa;
{proxied}
            proxy_set_header Connection "";
            # a replica that refuses the connection is skipped; one that dies mid-request gives 502 (retry)
            proxy_next_upstream error timeout;
            proxy_next_upstream_tries {layout.replicas};
        }}
    }}
    server {{
        listen 127.0.0.1:{layout.action_port};
        # Rasa's own calls, on loopback: each carries the whole domain (every response, the FAQ's
        # answers included), far above the customers' body limit; at that limit every action failed.
        client_max_body_size {ACTION_BODY_MAX};
        location / {{
            proxy_pass http://actions;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_next_upstream error timeout;
            proxy_next_upstream_tries {layout.replicas};
        }}
    }}
    server {{
        listen {layout.host}:{layout.web_port};
        location / {{
            proxy_pass http://console;
{proxied}
            proxy_set_header Connection "";
        }}
    }}
}}
"""


def write_nginx_config(layout: Layout, run_dir: Path, body_max_bytes: int) -> Path:
    run_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (run_dir / kind).mkdir(exist_ok=True, mode=0o700)
    path = run_dir / "nginx.conf"
    path.write_text(nginx_config(layout, run_dir, body_max_bytes), encoding="utf-8")
    return path
