"""How long verify_order_owner takes on each failure path and on success.

The failure paths (unknown order number, malformed-but-plausible number,
unreadable text, wrong phone digits, locked order, order past its daily
budget of wrong digits) must not be told apart by
timing. This runs a few hundred calls of each, interleaved in random order, on
a temporary SQLite database with the demo shop and prints median and p95.
Each call uses a fresh sender, and each path its own clock, so no call hits a
sender lock, only the locked-order path hits an order lock and only the
over-budget path an order past its budget.

    .venv/bin/python bench/verification_timing.py [--calls 300]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import load_settings  # noqa: E402
from bot.identity import MAX_FAILURES, ORDER_DAILY_BUDGET, verify_order_owner  # noqa: E402
from bot.store.db import engine_for, session_scope  # noqa: E402
from bot.store.migrate import upgrade  # noqa: E402
from bot.store.seed import load_demo_shop, seed  # noqa: E402

START = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)
SPACING = timedelta(minutes=16)  # one failure per order per window: never locks
# Fewer than ORDER_DAILY_BUDGET failures per 24 hours: the path never runs past the order's budget.
UNDER_BUDGET = timedelta(hours=2, minutes=30)
OVER_BUDGET_ORDER, OVER_BUDGET_LAST4 = "MD26110340", "3350"

# name -> (order number as typed, phone digits as typed, clock step)
PATHS = {
    "success": ("MD26110018", "4401", SPACING),
    "wrong last four": ("MD26110045", "0000", UNDER_BUDGET),
    "unknown order number": ("MD26110019", "4401", UNDER_BUDGET),
    "malformed but plausible": ("MD99999999", "9999", UNDER_BUDGET),
    "unreadable order number": ("わかりません", "4401", UNDER_BUDGET),
    "locked order (right digits)": ("MD26090062", "5678", timedelta(milliseconds=1)),
    "order past its budget (right digits)": (OVER_BUDGET_ORDER, OVER_BUDGET_LAST4, timedelta(milliseconds=1)),
}
FAILURES = [name for name in PATHS if name != "success"]


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def run(calls: int, warmup: int = 20) -> dict[str, list[float]]:
    folder = Path(tempfile.mkdtemp(prefix="madoguchi-bench-"))
    os.environ["MADOGUCHI_VAR_DIR"] = str(folder)
    os.environ.setdefault("MADOGUCHI_SECRET", "bench-secret")
    url = f"sqlite:///{folder / 'bench.db'}"
    upgrade(url)
    engine = engine_for(url)
    with session_scope(engine) as session:
        seed(session, load_demo_shop(load_settings().demo_shop_file))
    with session_scope(engine) as session:  # lock the locked-order path's order
        for i in range(MAX_FAILURES):
            verify_order_owner(session, conversation_id=f"lock-{i}", sender_id=f"lock-{i}",
                               order_number="MD26090062", phone_last4="0000", now=START)
        for i in range(ORDER_DAILY_BUDGET):  # and spend the over-budget path's budget, slowly enough not to lock
            verify_order_owner(session, conversation_id=f"budget-{i}", sender_id=f"budget-{i}",
                               order_number=OVER_BUDGET_ORDER, phone_last4="0000",
                               now=START - timedelta(hours=12) + SPACING * i)

    times: dict[str, list[float]] = {name: [] for name in PATHS}
    rng = random.Random(7)
    for round_ in range(warmup + calls):
        names = list(PATHS)
        rng.shuffle(names)
        for name in names:
            number, digits, step = PATHS[name]
            sender = f"bench-{name}-{round_}"
            now = START + timedelta(seconds=1) + step * round_
            with session_scope(engine) as session:
                began = time.perf_counter()
                result = verify_order_owner(session, conversation_id=sender, sender_id=sender,
                                            order_number=number, phone_last4=digits, now=now)
                elapsed = time.perf_counter() - began
            assert result.verified == (name == "success") and not result.locked, (name, result)
            if round_ >= warmup:
                times[name].append(elapsed * 1e6)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args()
    times = run(args.calls)
    reference = statistics.median([t for name in FAILURES for t in times[name]])
    print(f"verify_order_owner, {args.calls} calls per path, SQLite, microseconds")
    print(f"{'path':<38} {'median':>8} {'p95':>8} {'median vs all failures':>24}")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:<38} {median:>8.0f} {_percentile(values, 0.95):>8.0f} "
              f"{(median / reference - 1) * 100:>+23.1f}%")
    medians = [statistics.median(times[name]) for name in FAILURES]
    print(f"spread of failure-path medians: {max(medians) - min(medians):.0f} µs "
          f"({(max(medians) - min(medians)) / reference * 100:.1f}% of {reference:.0f} µs)")


if __name__ == "__main__":
    main()
