"""Faults in the replica layout: `run --replicas 2` under load while parts of it fail.

One layout for the whole module (two Rasa replicas, two action servers, nginx),
on a PostgreSQL and a Redis of its own (started here on free ports, so
restarting them disturbs nobody else). Each test keeps conversations going
with bot.loadtest (whole conversations with verification, over REST through
nginx), breaks one part, and checks that every message was answered or got an
error the client retried, and that each answered message is once in the
conversation's record (Rasa's tracker store in PostgreSQL).

Durations are short for CI: the soak here is 45 s at 20 conversations
(bench/replicas.py --soak 300 is the five-minute one).
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bot import templates
from bot.devserver import free_port, start_assistant, stop_assistant
from bot.loadtest import closed_loop
from bot.replicas import NGINX
from tests.conftest import IN_CI
from tests.tickets import agent_replies, ticket_of
from tests.widget import WidgetClient, conversation_of

pytestmark = [pytest.mark.server]

PG_BIN = Path("/usr/lib/postgresql/15/bin")
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def _as_postgres(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run its tools as the postgres user."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _wait_port(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing answers on port {port}")


class PrivatePostgres:
    """A PostgreSQL 15 cluster in a temporary folder on a free port: ours to stop and start."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.data, self.port = folder, folder / "data", free_port()
        folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres", "postgres")
        subprocess.run(_as_postgres([str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
                                     "--no-sync", "-E", "UTF8", "--locale", "C"]),
                       check=True, capture_output=True)
        self.start()

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/madoguchi_scale"

    def start(self) -> None:
        subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.folder / "log"),
                                     "-o", f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
                                           "-c fsync=off -c max_connections=200", "-w", "start"]),
                       check=True, capture_output=True)

    def stop(self) -> None:
        subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"]),
                       check=True, capture_output=True)


class PrivateRedis:
    """A redis-server on a free port, without persistence: a restart forgets everything, as the worst case."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process = None
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen([REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                         "--appendonly", "no"], stdout=subprocess.DEVNULL)
        _wait_port(self.port)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()


def _missing() -> str | None:
    for path in (PG_BIN / "initdb", Path(REDIS_SERVER), Path(NGINX)):
        if not path.exists():
            return str(path)
    return None


@pytest.fixture(scope="module")
def layout(model_path, tmp_path_factory):
    missing = _missing()
    if missing:
        if IN_CI:
            pytest.fail(f"{missing} is missing (PostgreSQL 15, redis-server and nginx are part of CI)")
        pytest.skip(f"{missing} not installed; the replica fault tests run in CI")
    folder = tmp_path_factory.mktemp("replica-faults")
    # not under pytest's folder: as root that is private to root, and PostgreSQL runs as postgres
    postgres = PrivatePostgres(Path(tempfile.mkdtemp(prefix="madoguchi-scale-postgres-")))
    redis = PrivateRedis()
    process = None
    try:
        admin = create_engine(postgres.url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("CREATE DATABASE madoguchi_scale"))
        admin.dispose()
        (folder / "var").mkdir()
        process, assistant = start_assistant(folder / "var", {
            "REDIS_URL": redis.url, "MADOGUCHI_REDIS_PREFIX": "madoguchi-scale-faults",
            "MADOGUCHI_SECRET": secrets.token_hex(32), "MADOGUCHI_REST_TOKEN": "test-rest-token",
            "MADOGUCHI_TRUSTED_PROXIES": "127.0.0.1", "MADOGUCHI_MESSAGES_PER_MINUTE": "1000",
        }, replicas=2, database_url=postgres.url, seconds=1200)
        yield process, assistant, postgres, redis
    finally:
        if process is not None:
            stop_assistant(process)
        redis.stop()
        postgres.stop()
        shutil.rmtree(postgres.folder, ignore_errors=True)


def _children(pid: int) -> dict[int, str]:
    """Every descendant of ``pid`` with its command line."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found, todo = {}, [pid]
    while todo:
        current = todo.pop()
        for child, parent in parents.items():
            if parent == current:
                try:
                    found[child] = (Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ").decode())
                except OSError:
                    continue
                todo.append(child)
    return found


def _server_pid(process, *words: str) -> int:
    matches = [pid for pid, command in _children(process.pid).items() if all(w in command for w in words)]
    assert len(matches) == 1, f"expected one server with {words}, found {matches}"
    return matches[0]


def _recorded(postgres: PrivatePostgres, tag: str) -> dict[str, list[str]]:
    """Customer messages in Rasa's tracker store, per REST sender, in order."""
    engine = create_engine(postgres.url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT sender_id, data FROM events WHERE type_name = 'user' "
                                     "AND sender_id LIKE :tag ORDER BY id"), {"tag": f"rest:{tag}-%"}).all()
    finally:
        engine.dispose()
    recorded: dict[str, list[str]] = {}
    for sender_id, data in rows:
        recorded.setdefault(sender_id[len("rest:"):], []).append(json.loads(data)["text"])
    return recorded


def _nothing_lost_nothing_twice(result, postgres: PrivatePostgres, tag: str) -> None:
    """Every answered message is in Rasa's record once, in order: retries carry their message_id."""
    assert result.failures == [], result.failures[:5]
    recorded = _recorded(postgres, tag)
    for sender, answered in result.answered.items():
        assert recorded.get(sender) == answered, f"{sender}: answered {answered}, recorded {recorded.get(sender)}"


def _rss_kib(pids) -> int:
    total = 0
    for pid in pids:
        try:
            total += next(int(line.split()[1]) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                          if line.startswith("VmRSS:"))
        except (OSError, StopIteration):
            continue
    return total


def test_a_soak_of_twenty_conversations_has_no_errors_and_steady_memory(layout):
    process, assistant, postgres, _ = layout
    closed_loop(assistant, 20, 15, tag="soak-warm-up")
    servers = list(_children(process.pid))
    before = _rss_kib(servers)
    result = closed_loop(assistant, 20, 45, tag="soak")
    after = _rss_kib(servers)
    assert result.conversations >= 20
    assert result.retryable == 0
    _nothing_lost_nothing_twice(result, postgres, "soak")
    assert after < before * 1.10, f"resident memory grew from {before} KiB to {after} KiB"


def test_conversations_go_on_through_the_other_replica_when_one_is_killed(layout):
    process, assistant, postgres, _ = layout
    rasa_port = int(assistant.env["MADOGUCHI_RASA_PORT"])
    killed_at = {}

    def kill_one(result) -> None:
        time.sleep(8)
        os.kill(_server_pid(process, "rasa", "run", "--port", str(rasa_port + 1)), signal.SIGKILL)
        killed_at["answered"] = result.messages

    result = closed_loop(assistant, 8, 30, tag="kill", during=kill_one)
    assert result.messages > killed_at["answered"] + 20  # the other replica carried on
    _nothing_lost_nothing_twice(result, postgres, "kill")


def test_postgres_restarted_under_load_gets_an_apology_then_resumes_by_itself(layout):
    _, assistant, postgres, _ = layout
    while_down = {}

    def restart(result) -> None:
        time.sleep(6)
        postgres.stop()
        try:
            assistant.exchange(assistant.new_sender(), "こんにちは")
        except urllib.error.HTTPError as error:
            while_down["status"], while_down["body"] = error.code, json.load(error)
        time.sleep(4)
        postgres.start()
        while_down["answered"] = result.messages

    result = closed_loop(assistant, 6, 35, tag="pg", during=restart)
    assert while_down["status"] == 500 and while_down["body"] == {"error": templates.ERROR_INTERNAL}
    assert result.retryable > 0 and result.messages > while_down["answered"] + 10
    _nothing_lost_nothing_twice(result, postgres, "pg")


def test_redis_restarted_under_load_conversations_continue(layout):
    _, assistant, postgres, redis = layout

    def restart(result) -> None:
        time.sleep(6)
        redis.stop()
        time.sleep(3)
        redis.start()
        restart.answered = result.messages

    result = closed_loop(assistant, 6, 30, tag="redis", during=restart)
    assert result.messages > restart.answered + 10
    _nothing_lost_nothing_twice(result, postgres, "redis")
    # socket.io goes through Redis (AsyncRedisManager): after the restart an agent's reply still reaches the page
    reply = "担当の佐藤です。Redisの再起動後もお届けします。"

    async def page_gets_the_agents_reply() -> dict:
        page = WidgetClient(assistant)
        await page.connect()
        await page.say("人間の担当者と話したいです")
        await page.replies(1)
        ticket = await asyncio.to_thread(ticket_of, assistant, conversation_of(page.session_id))
        await asyncio.to_thread(agent_replies, assistant, ticket.id, reply)
        while True:
            received = await asyncio.wait_for(page.received.get(), 30)
            if received.get("sender") == "agent":
                await page.close()
                return received

    assert asyncio.run(page_gets_the_agents_reply())["text"] == reply


def test_with_the_action_servers_down_the_customer_gets_an_apology_and_the_message_is_kept(layout):
    process, assistant, postgres, _ = layout
    for pid in [pid for pid, command in _children(process.pid).items() if "rasa_sdk" in command]:
        os.kill(pid, signal.SIGKILL)  # the run command starts them again, which takes them seconds
    sender = f"actions-{assistant.new_sender()}"
    replies = assistant.say(sender, "荷物が届きません")
    assert replies, "silence"
    assert templates.ERROR_BOT_SILENT in replies or all("確認" in r or "注文番号" in r for r in replies), replies
    assert _recorded(postgres, "actions").get(sender) == ["荷物が届きません"]
