"""Start the whole assistant as a child process on free ports, for tests and benchmarks.

It runs `python -m bot run` exactly as a shop does, with its state in a
folder of the caller's choosing so that var/ is never touched.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import socket
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

from bot import templates
from bot.config import PROJECT_ROOT
from bot.processes import start_server, stop_process


def _first_outgoing_port() -> int:
    """Where the kernel's range for the source ports of outgoing connections starts (Linux's default if unreadable)."""
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def _bindable(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    """A port nothing listens on, below the kernel's range for outgoing connections.

    A port the kernel hands out for bind(0) comes from that range, and so does the
    source port of every outgoing connection: chosen a minute before a server binds
    it (the replica layout starts nginx last), it was once taken by a test's own
    HTTP connection meanwhile (「bind() to 127.0.0.1:44570 failed (98: Address
    already in use)」, 2026-12-04). Below the range only listeners can take it.
    """
    return free_ports(1)


@dataclass
class RunningAssistant:
    """The assistant started by `python -m bot run`, reachable over HTTP."""

    rest_url: str
    var_dir: Path
    env: dict
    log_path: Path
    web_url: str = ""
    shop_database_url: str = ""  # the layout's PostgreSQL database; else the SQLite file under var_dir

    @property
    def rasa_url(self) -> str:
        return self.rest_url.split("/webhooks/", 1)[0]

    @property
    def database_url(self) -> str:
        return self.shop_database_url or f"sqlite:///{self.var_dir / 'madoguchi.db'}"

    def say(self, sender: str, text: str) -> list[str]:
        """Send one message through the REST channel; returns the bot's texts."""
        return [m["text"] for m in self.exchange(sender, text) if m.get("text")]

    def exchange(self, sender: str, text: str) -> list[dict]:
        """Send one message through the REST channel; returns the whole answer (agents' replies included)."""
        body = json.dumps({"sender": sender, "message": text}).encode()
        request = urllib.request.Request(self.rest_url, data=body,
                                         headers={"Content-Type": "application/json", **self.rest_headers(sender)})
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.load(response)

    def rest_headers(self, sender: str | None = None) -> dict:
        """The REST token (if the assistant has one) and, for a sender, a client address of its own.

        Each sender is a customer of its own, as behind the shop's proxy: the
        address comes in X-Forwarded-For (believed when MADOGUCHI_TRUSTED_PROXIES
        names this machine), so per-client limits see one client per sender.
        """
        headers = {}
        token = self.env.get("MADOGUCHI_REST_TOKEN")
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if sender is not None:
            digest = hashlib.sha256(sender.encode("utf-8")).digest()
            headers["X-Forwarded-For"] = f"198.18.{digest[0]}.{digest[1]}"
        return headers

    def new_sender(self) -> str:
        return f"test-{uuid.uuid4().hex[:10]}"


def free_ports(count: int) -> int:
    """The first of ``count`` consecutive free ports (the replica layout numbers its servers from one)."""
    below = _first_outgoing_port()
    for _ in range(500):
        first = 10000 + secrets.randbelow(max(1, below - count - 10000))
        if all(_bindable(port) for port in range(first, first + count)):
            return first
    raise RuntimeError(f"no {count} consecutive free ports below {below}")


def start_assistant(var_dir: Path, extra_env: dict | None = None, *, replicas: int | None = None,
                    database_url: str = "", seconds: float = 240) -> tuple[subprocess.Popen, RunningAssistant]:
    """`python -m bot run` (or `run --replicas N` with ``database_url`` on PostgreSQL and REDIS_URL in
    ``extra_env``); returns once it answers a customer over REST.

    Ports come from ``extra_env`` (MADOGUCHI_*_PORT) where given, else free ones; the replica
    layout numbers its servers from the Rasa port, so it takes a block of consecutive ports.
    """
    given = extra_env or {}
    if replicas:
        block = 1 + replicas
        rasa_port = int(given.get("MADOGUCHI_RASA_PORT") or free_ports(2 * block + 2))
        action_port, web_port = rasa_port + block, rasa_port + 2 * block
    else:
        rasa_port, action_port, web_port = (int(given.get(f"MADOGUCHI_{name}_PORT") or free_port())
                                            for name in ("RASA", "ACTION", "WEB"))
    env = {
        **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        "MADOGUCHI_VAR_DIR": str(var_dir),
        "MADOGUCHI_RASA_PORT": str(rasa_port),
        "MADOGUCHI_ACTION_PORT": str(action_port),
        "MADOGUCHI_WEB_PORT": str(web_port),
        **({"DATABASE_URL": database_url} if database_url else {}),
        **(extra_env or {}),
    }
    log_path = var_dir / "assistant.log"
    command = [sys.executable, "-m", "bot", "run", *(["--replicas", str(replicas)] if replicas else [])]
    assistant = RunningAssistant(f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook", var_dir, env, log_path,
                                 web_url=f"http://127.0.0.1:{web_port}", shop_database_url=database_url)

    def answers_a_customer() -> bool:
        try:
            # the apology means a Rasa server without its model (or without its action server): not ready
            return templates.ERROR_BOT_SILENT not in assistant.say("warm-up", "こんにちは")
        except (urllib.error.URLError, OSError):
            return False

    process = start_server(command, name="the assistant", log_path=log_path, ready=answers_a_customer,
                           seconds=seconds, interval=1, cwd=PROJECT_ROOT, env=env)
    return process, assistant


def stop_assistant(process: subprocess.Popen) -> int:
    return stop_process(process)
