"""Scaling: the same closed-loop load on one replica and on two, through nginx, in one run.

Starts `python -m bot run --replicas 1`, then `--replicas 2` (each on a fresh
PostgreSQL database and its own Redis prefix, state in a temporary folder),
plays whole conversations with verification over REST (bot.loadtest: each of
``--concurrency`` customers sends its next message as soon as the answer
arrives) for ``--seconds``, and prints messages/s, latency, errors and the
ratio two/one, with the CPU each part used a message (Rasa replicas, action
servers, nginx, PostgreSQL, Redis, the load client) and how many of the
machine's cores were busy. The machine is shared: the load average is printed
with each figure. ``--soak S`` then keeps 20 conversations going on two replicas for S
seconds and prints errors and the growth of the servers' resident memory.

    .venv/bin/python bench/replicas.py [--concurrency 20] [--seconds 90] [--soak 300]

Needs PostgreSQL (MADOGUCHI_TEST_POSTGRES, default postgresql://postgres@127.0.0.1:5432/test),
Redis (MADOGUCHI_TEST_REDIS, default redis://127.0.0.1:6379/0), nginx and a trained model.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text  # noqa: E402

from bot.devserver import start_assistant, stop_assistant  # noqa: E402
from bot.loadtest import closed_loop  # noqa: E402

POSTGRES = os.environ.get("MADOGUCHI_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
REDIS = os.environ.get("MADOGUCHI_TEST_REDIS", "redis://127.0.0.1:6379/0")


def _processes() -> dict[int, tuple[int, str, float]]:
    """pid -> (parent pid, command line, CPU seconds so far), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, IndexError):
            continue
        found[int(entry.name)] = (int(fields[1]), command, (int(fields[11]) + int(fields[12])) / tick)
    return found


def _descendants(pid: int, processes: dict) -> set[int]:
    children: dict[int, list[int]] = {}
    for child, (parent, _, _) in processes.items():
        children.setdefault(parent, []).append(child)
    found, todo = set(), [pid]
    while todo:
        current = todo.pop()
        found.add(current)
        todo += children.get(current, [])
    return found


def tree_rss_kib(pid: int) -> int:
    """Resident memory of a process and all its descendants, from /proc (KiB)."""
    total = 0
    for current in _descendants(pid, _processes()):
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total


ROLES = (("Rasa", " rasa run "), ("actions", " rasa_sdk "), ("console", " bot.console"), ("nginx", "nginx"))


def cpu_by_role(layout: "Layout") -> dict[str, float]:
    """CPU seconds so far of each part: the layout's processes by role, its PostgreSQL backends, Redis, this client.

    Read before and after a run, the differences say where a message's CPU
    goes, and how busy the machine was: the ratio two/one depends on what one
    replica leaves of the machine's cores.
    """
    processes = _processes()
    mine = _descendants(layout.process.pid, processes)
    seconds = {role: 0.0 for role, _ in ROLES} | {"PostgreSQL": 0.0, "Redis": 0.0, "load client": 0.0}
    for pid, (_, command, cpu) in processes.items():
        if pid in mine:
            role = next((name for name, marker in ROLES if marker in f" {command}"), None)
            if role:
                seconds[role] += cpu
        elif command.startswith("postgres:") and layout.database in command:
            seconds["PostgreSQL"] += cpu
        elif command.startswith("redis-server"):
            seconds["Redis"] += cpu
    me = os.times()
    seconds["load client"] = me.user + me.system
    with open("/proc/stat", encoding="ascii") as f:
        busy = [int(v) for v in f.readline().split()[1:]]
    seconds["machine busy"] = (sum(busy) - busy[3] - busy[4]) / os.sysconf("SC_CLK_TCK")  # all but idle, iowait
    return seconds


def report_cpu(before: dict[str, float], after: dict[str, float], result) -> None:
    used = {role: after[role] - before[role] for role in after}
    parts = ", ".join(f"{role} {used[role] / max(1, result.messages) * 1000:.1f}"
                      for role in after if role != "machine busy")
    print(f"   CPU ms a message: {parts}; machine busy {used['machine busy'] / result.seconds:.2f} of "
          f"{os.cpu_count()} cores", flush=True)


class Layout:
    """One `run --replicas N` on a database and Redis prefix of its own; removed on exit."""

    def __init__(self, replicas: int) -> None:
        self.replicas = replicas
        self.admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
        self.database = f"madoguchi_bench_replicas_{uuid.uuid4().hex[:8]}"
        self.tmp = tempfile.TemporaryDirectory()

    def __enter__(self):
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{self.database}"'))
        started = time.monotonic()
        self.process, self.assistant = start_assistant(
            Path(self.tmp.name), {"REDIS_URL": REDIS, "MADOGUCHI_REDIS_PREFIX": f"bench-{self.database}",
                                  "MADOGUCHI_SECRET": secrets.token_hex(32), "MADOGUCHI_TRUSTED_PROXIES": "127.0.0.1",
                                  "MADOGUCHI_MESSAGES_PER_MINUTE": "1000"},
            replicas=self.replicas, database_url=f"{POSTGRES.rsplit('/', 1)[0]}/{self.database}", seconds=600)
        print(f"{self.replicas} replica(s) ready in {time.monotonic() - started:.0f} s", flush=True)
        return self

    def __exit__(self, *_):
        stop_assistant(self.process)
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)'))
        self.tmp.cleanup()


def report(label: str, result) -> None:
    load = os.getloadavg()
    print(f"{label}: {result.messages} messages in {result.seconds:.0f} s = {result.per_second:5.1f} msg/s | "
          f"p50 {result.percentile(0.5) * 1000:6.0f} ms | p95 {result.percentile(0.95) * 1000:6.0f} ms | "
          f"{result.conversations} conversations | retried {result.retryable} | failures {len(result.failures)} | "
          f"load average {load[0]:.1f} {load[1]:.1f}", flush=True)
    for failure in result.failures[:5]:
        print(f"   {failure}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=90)
    parser.add_argument("--soak", type=float, default=0, help="seconds of 20 conversations on two replicas")
    args = parser.parse_args()
    rates = {}
    for replicas in (1, 2):
        with Layout(replicas) as layout:
            closed_loop(layout.assistant, args.concurrency, 15, tag="warm-up")
            before = cpu_by_role(layout)
            result = closed_loop(layout.assistant, args.concurrency, args.seconds, tag="bench")
            after = cpu_by_role(layout)
            report(f"{replicas} replica(s), {args.concurrency} concurrent", result)
            report_cpu(before, after, result)
            rates[replicas] = result.per_second
            if replicas == 2 and args.soak:
                before = tree_rss_kib(layout.process.pid)
                soak = closed_loop(layout.assistant, 20, args.soak, tag="soak")
                after = tree_rss_kib(layout.process.pid)
                report(f"soak, 2 replicas, 20 concurrent, {args.soak:.0f} s", soak)
                print(f"soak: resident memory {before / 1024:.0f} MiB -> {after / 1024:.0f} MiB "
                      f"({(after - before) / before * 100:+.1f} %; target < +10 %), "
                      f"errors {len(soak.failures)} (target 0)")
    print(f"throughput two replicas / one: {rates[2] / rates[1]:.2f}x (target >= 1.6x on 2 cores; "
          f"{os.cpu_count()} CPUs here, shared)")


if __name__ == "__main__":
    main()
