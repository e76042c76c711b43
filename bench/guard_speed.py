"""How long the outbound guard takes per reply on the demo shop's index.

The guard runs on every reply the bot or an agent sends, so it must stay far
below the time a reply takes anyway (tens of milliseconds). This screens a
fixed mix of ordinary replies (status, dates, amounts, references) and replies
carrying another customer's data, a few thousand times, single-threaded, and
prints CPU microseconds per reply (median of five rounds; CPU time, so a busy
shared machine disturbs it less) and the time to build the index (the guard
rebuilds it every minute).

    .venv/bin/python bench/guard_speed.py [--rounds 5] [--repeat 200]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import load_settings  # noqa: E402
from bot.privacy import Clearance, PersonalDataIndex, PersonRecord, screen_reply  # noqa: E402
from bot.store.seed import load_demo_shop  # noqa: E402

REPLIES = [
    "ご入力の内容で確認できました。",
    "商品は佐川急便でお届け中ですが、お届け予定日（11月16日(月)）から48時間以上過ぎているため、遅延案件として扱います。",
    "受付番号 T20261124-00001 で承りました。配送業者に荷物の所在を確認し、11月25日(水) 11:00までに担当者から結果をご連絡します。",
    "ご注文MD26110220（追跡番号7616-3675-0735）は11月16日に札幌の営業所に到着しています。",
    "返金額は3,980円です。カードへの返金は3営業日以内に手続きいたします。",
    "ご注文番号を教えてください（「MD」から始まる番号です。例：MD26110001）。",
    "お届けが遅れており、ご心配とご不便をおかけして申し訳ございません。すぐにお調べします。",
    "同じご住所の高橋誠一様のご注文も確認できました",
    "伊藤様（68歳）のご注文は発送済みです。",
    "お電話番号は〇八〇、五五五五、二七三一でよろしいですか。",
    "misaki.nakamura [at] example dot jp にお送りしました。",
    "Dear Takahashi Seiichi, your parcel was delivered to 常盤5-12-8.",
]


def demo_people() -> list[PersonRecord]:
    shop = load_demo_shop(load_settings().demo_shop_file)
    return [
        PersonRecord(
            customer_id=position, name=c["name"], name_kana=c["name_kana"], birth_date=c["birth_date"],
            phone=str(c["phone"]), email=c["email"], postal_code=str(c["postal_code"]), address=c["address"],
            order_numbers=tuple(o["order_number"] for o in c["orders"]),
            tracking_numbers=tuple(str(o["shipment"]["tracking_number"]) for o in c["orders"] if o.get("shipment")),
        )
        for position, c in enumerate(shop["customers"], start=1)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    people = demo_people()
    started = time.process_time()
    index = PersonalDataIndex(people)
    build_ms = (time.process_time() - started) * 1000
    clearance = Clearance(customer_id=8, order_number="MD26110220", tracking_number="7616-3675-0735")
    rounds = []
    for _ in range(args.rounds):
        started = time.process_time()
        for _ in range(args.repeat):
            for reply in REPLIES:
                screen_reply(reply, index, clearance)
        rounds.append((time.process_time() - started) / (args.repeat * len(REPLIES)) * 1e6)
    blocked = sum(not screen_reply(r, index, clearance).allowed for r in REPLIES)
    print(f"index build: {build_ms:.1f} ms CPU for the demo shop's {len(people)} customers")
    print(f"screen_reply: {statistics.median(rounds):.0f} µs CPU per reply (median of {args.rounds} rounds; "
          f"min {min(rounds):.0f}, max {max(rounds):.0f}); {blocked} of {len(REPLIES)} replies blocked")


if __name__ == "__main__":
    main()
