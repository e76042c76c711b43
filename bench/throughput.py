"""Speed of one replica: whole conversations with verification over REST, start-up, batch triage.

Starts the assistant as `./madoguchi run` does (state in a temporary folder,
REST behind a token and a trusted proxy as in production), then measures:

- closed loop: 20 concurrent conversations, each sending its next message as
  soon as the answer arrives: messages/s, p50/p95/p99, CPU per message (all
  of the assistant's processes, from /proc);
- open loop: 40 customers who pause about 4 s between messages (≈ 10 msg/s
  offered): p50/p95/p99;
- one conversation at a time: p50/p95;
- Rasa ready: seconds from `run` starting the Rasa server (trained model on
  disk) until it answers, as `run` itself sees it;
- `./madoguchi triage --file` on a 1,000-message file: messages/s from its
  first output line to its last (model load excluded).

A conversation is a whole trouble report: the complaint, the order number,
the phone's last four digits (verification; the answer is checked), the
details; it ends with the trouble recorded. Every figure is printed with the
1-minute load average, because the machine may be shared: compare runs made
under the same load, interleaved.

    .venv/bin/python bench/throughput.py [--seconds 60] [--only closed,open,single,ready,triage]

Ports come from MADOGUCHI_RASA_PORT / MADOGUCHI_ACTION_PORT / MADOGUCHI_WEB_PORT
when set, else free ones.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import PROJECT_ROOT  # noqa: E402
from bot.devserver import RunningAssistant, free_port, start_assistant, stop_assistant  # noqa: E402
from tests.demo_shop import owner_of  # noqa: E402

REST_ENV = {"MADOGUCHI_REST_TOKEN": "bench-rest-token", "MADOGUCHI_TRUSTED_PROXIES": "127.0.0.1",
            "MADOGUCHI_SECRET": "bench-secret"}
# (complaint, order number as typed, details): four turns each with the phone digits.
REPORTS = [
    ("注文した荷物がまだ届きません", "MD26110220です", "11月16日に届く予定でしたが、まだ何も連絡がありません"),
    ("届いた商品が壊れていました", "md-2611-0263", "電源を入れても動きません"),
    ("返品したいです", "ＭＤ２６１１０１６６", "サイズが合いませんでした"),
    ("カードに二重に請求されています", "MD26110018", "11月12日に2回引き落とされました"),
    ("注文したのと違う商品が届きました", "MD26110305", "色が違うものが入っていました"),
]
TRIAGE_MESSAGES = 1000


def _verified_text() -> str:
    with open(PROJECT_ROOT / "domain.yml", encoding="utf-8") as f:
        return yaml.safe_load(f)["responses"]["utter_verified"][0]["text"]


VERIFIED = _verified_text()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] if ordered else float("nan")


def load() -> str:
    return f"load {os.getloadavg()[0]:.2f}"


def _order_number(typed: str) -> str:
    import unicodedata

    digits = "".join(ch for ch in unicodedata.normalize("NFKC", typed) if ch.isdigit())
    return f"MD{digits}"


class Conversations:
    """Plays whole trouble reports; records each message's latency and any failure."""

    def __init__(self, assistant: RunningAssistant) -> None:
        self.assistant = assistant
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.counter = 0

    def _next(self) -> int:
        with self.lock:
            self.counter += 1
            return self.counter

    def _say(self, sender: str, text: str) -> list[str]:
        started = time.perf_counter()
        try:
            replies = self.assistant.say(sender, text)
        except (urllib.error.URLError, OSError) as error:
            with self.lock:
                self.errors.append(type(error).__name__)
            raise
        elapsed = time.perf_counter() - started
        with self.lock:
            self.latencies.append(elapsed * 1000)
        return replies

    def play(self, pause=None, stop_at: float | None = None) -> None:
        """One whole report; ``pause()`` seconds between messages (open loop)."""
        index = self._next()
        complaint, typed_number, details = REPORTS[index % len(REPORTS)]
        sender = f"bench-{index}-{self.assistant.new_sender()}"
        digits = owner_of(_order_number(typed_number)).phone_last4
        for step, text in enumerate((complaint, typed_number, digits, details)):
            if step and pause:
                time.sleep(pause())
            if stop_at is not None and time.monotonic() >= stop_at:
                return
            try:
                replies = self._say(sender, text)
            except (urllib.error.URLError, OSError):
                return
            if step == 2 and (not replies or replies[0] != VERIFIED):
                with self.lock:
                    self.errors.append(f"not verified: {replies[:1]}")
                return

    def summary(self, elapsed: float) -> str:
        lat = self.latencies
        return (f"{len(lat):>5} messages | {len(lat) / elapsed:6.1f} msg/s | p50 {percentile(lat, 0.5):7.1f} ms | "
                f"p95 {percentile(lat, 0.95):7.1f} ms | p99 {percentile(lat, 0.99):7.1f} ms | "
                f"errors {len(self.errors)}")


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                found += [int(c) for c in f.read().split()]
    except OSError:
        pass
    return found


def cpu_seconds(root: int) -> float:
    """User + system CPU of ``root`` and all its descendants, now."""
    ticks = os.sysconf("SC_CLK_TCK")
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
        except OSError:
            continue
        todo += _children(pid)
    return total


def closed_loop(assistant, process, concurrency: int, seconds: float) -> None:
    conversations = Conversations(assistant)
    stop_at = time.monotonic() + seconds
    cpu_before, started = cpu_seconds(process.pid), time.monotonic()

    def worker() -> None:
        while time.monotonic() < stop_at:
            conversations.play(stop_at=stop_at)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    cpu = cpu_seconds(process.pid) - cpu_before
    print(f"closed loop, {concurrency} concurrent | {conversations.summary(elapsed)} | "
          f"CPU {1000 * cpu / max(1, len(conversations.latencies)):.1f} ms/message "
          f"({100 * cpu / elapsed:.0f} % of one core) | {load()}", flush=True)


def open_loop(assistant, customers: int, pause: float, seconds: float) -> None:
    conversations = Conversations(assistant)
    rng = random.Random(10)
    rng_lock = threading.Lock()

    def think() -> float:
        with rng_lock:
            return rng.uniform(pause * 0.5, pause * 1.5)

    stop_at = time.monotonic() + seconds
    started = time.monotonic()

    def customer(offset: float) -> None:
        time.sleep(offset)
        while time.monotonic() < stop_at:
            conversations.play(pause=think, stop_at=stop_at)
            time.sleep(think())

    with ThreadPoolExecutor(max_workers=customers) as pool:
        list(pool.map(customer, [pause * i / customers for i in range(customers)]))
    print(f"open loop, {customers} customers pausing ~{pause:.0f} s | "
          f"{conversations.summary(time.monotonic() - started)} | {load()}", flush=True)


def single(assistant, conversations_count: int) -> None:
    conversations = Conversations(assistant)
    started = time.monotonic()
    for _ in range(conversations_count):
        conversations.play()
    print(f"one conversation at a time | {conversations.summary(time.monotonic() - started)} | {load()}",
          flush=True)


def start_timed(var_dir: Path, env: dict):
    """Start the assistant; return it and the seconds Rasa took to be ready, as `run` waited for it."""
    stamps: dict[str, float] = {}
    log_path = var_dir / "assistant.log"
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            try:
                text = log_path.read_text(errors="replace")
            except FileNotFoundError:
                text = ""
            for name in ("starting the rasa server", "starting the web server"):
                if name in text and name not in stamps:
                    stamps[name] = time.monotonic()
                    if name == "starting the web server":
                        stamps["rasa cpu"] = sum(cpu_seconds(pid) for pid in _rasa_servers(env["MADOGUCHI_RASA_PORT"]))
            time.sleep(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        process, assistant = start_assistant(var_dir, env)
    finally:
        done.set()
        watcher.join()
    ready = stamps.get("starting the web server", float("nan")) - stamps.get("starting the rasa server", float("nan"))
    return process, assistant, ready, stamps.get("rasa cpu", float("nan"))


def _rasa_servers(port: str) -> list[int]:
    """The Rasa server processes listening on ``port`` (by their command line)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                arguments = f.read().split(b"\0")
        except OSError:
            continue
        if b"rasa" in arguments and b"run" in arguments and port.encode() in arguments:
            found.append(int(entry))
    return found


def triage_rate(env: dict) -> None:
    examples = []
    for path in sorted((PROJECT_ROOT / "tests" / "data" / "nlu_test").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for item in data.get("nlu", []):
            examples += [line[2:].strip() for line in item.get("examples", "").splitlines() if line.startswith("- ")]
    texts = [examples[i % len(examples)] for i in range(TRIAGE_MESSAGES)]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "messages.jsonl"
        path.write_text("".join(json.dumps({"text": t}, ensure_ascii=False) + "\n" for t in texts), encoding="utf-8")
        started = time.monotonic()
        process = subprocess.Popen([sys.executable, "-m", "bot", "triage", "--file", str(path)], cwd=PROJECT_ROOT,
                                   env={**os.environ, **env, "MADOGUCHI_VAR_DIR": tmp}, stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL)
        first = last = None
        cpu_first = cpu_last = 0.0
        lines = 0
        for _ in process.stdout:
            last, cpu_last = time.monotonic(), cpu_seconds(process.pid)
            if first is None:
                first, cpu_first = last, cpu_last
            lines += 1
        process.wait()
    if lines != TRIAGE_MESSAGES:
        print(f"triage --file: {lines} lines out of {TRIAGE_MESSAGES} (exit {process.returncode})")
        return
    # CPU time is the figure a shared machine cannot spoil: messages per CPU-second is the rate of one idle core.
    print(f"triage --file, {TRIAGE_MESSAGES} messages | {(lines - 1) / (last - first):6.1f} msg/s | "
          f"{(lines - 1) / max(1e-9, cpu_last - cpu_first):6.1f} msg per CPU-second "
          f"(model load and first message {first - started:.1f} s) | {load()}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60, help="length of the closed and open loops")
    parser.add_argument("--single", type=int, default=15, help="conversations one at a time")
    parser.add_argument("--only", default="ready,single,closed,open,triage")
    args = parser.parse_args()
    parts = set(args.only.split(","))
    ports = {name: os.environ.get(name) or str(free_port())
             for name in ("MADOGUCHI_RASA_PORT", "MADOGUCHI_ACTION_PORT", "MADOGUCHI_WEB_PORT")}
    print(f"{os.cpu_count()} CPUs | {load()}", flush=True)
    if "triage" in parts:
        triage_rate(REST_ENV)
    if not parts & {"ready", "single", "closed", "open"}:
        return
    with tempfile.TemporaryDirectory() as tmp:
        process, assistant, ready, ready_cpu = start_timed(Path(tmp), {**REST_ENV, **ports})
        try:
            if "ready" in parts:
                print(f"Rasa ready {ready:.1f} s after `run` started it, {ready_cpu:.1f} CPU-seconds | {load()}",
                      flush=True)
            for _ in range(5):
                Conversations(assistant).play()  # warm-up: every action and response once
            if "single" in parts:
                single(assistant, args.single)
            if "closed" in parts:
                closed_loop(assistant, process, 20, args.seconds)
            if "open" in parts:
                open_loop(assistant, 40, 4.0, args.seconds)
        finally:
            stop_assistant(process)


if __name__ == "__main__":
    main()
