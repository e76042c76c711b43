"""Message latency and throughput through the REST channel of a running assistant.

Starts the assistant (as `./madoguchi run` does, state in a temporary folder),
then plays three-turn trouble reports at 1 and at 20 concurrent conversations
and prints p50/p95/p99 latency and messages per second. Bounded: a fixed
number of conversations per level, loopback only.

    .venv/bin/python bench/latency.py [--conversations 40]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.devserver import start_assistant, stop_assistant  # noqa: E402

TURNS = [
    ("注文した荷物がまだ届きません", "MD26110220です", "11月16日に届く予定でした"),
    ("届いた商品が壊れていました", "md-2611-0263", "電源が入りません"),
    ("返品したいです", "わからない", "サイズが合いませんでした"),
    ("二重に請求されています", "ＭＤ２６１１０１６６", "11月12日に2回引き落とされました"),
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def conversation(assistant, index: int) -> list[float]:
    sender = f"bench-{index}-{assistant.new_sender()}"
    timings = []
    for text in TURNS[index % len(TURNS)]:
        started = time.perf_counter()
        assistant.say(sender, text)
        timings.append(time.perf_counter() - started)
    return timings


def measure(assistant, concurrency: int, conversations: int) -> None:
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = list(pool.map(lambda i: conversation(assistant, i), range(conversations)))
    elapsed = time.perf_counter() - started
    latencies = [t * 1000 for r in results for t in r]
    print(f"{concurrency:>3} concurrent | {len(latencies):>4} messages | "
          f"p50 {percentile(latencies, 0.50):7.1f} ms | p95 {percentile(latencies, 0.95):7.1f} ms | "
          f"p99 {percentile(latencies, 0.99):7.1f} ms | mean {statistics.mean(latencies):7.1f} ms | "
          f"{len(latencies) / elapsed:6.1f} msg/s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--conversations", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        process, assistant = start_assistant(Path(tmp))
        try:
            for _ in range(3):
                conversation(assistant, 0)  # warm-up
            for concurrency in (1, 20):
                measure(assistant, concurrency, args.conversations)
        finally:
            stop_assistant(process)


if __name__ == "__main__":
    main()
