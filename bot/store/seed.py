"""Load the fictional shop in data/demo_shop.yml into the database.

Idempotent: customers are matched by email and orders by order number, so
running the set-up again neither duplicates nor loses anything.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.models import Customer, Order, OrderItem, Shipment


def _aware(value) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if value.tzinfo is None:
        raise ValueError(f"time without a time zone in demo shop data: {value}")
    return value.astimezone(timezone.utc)


def _date(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def load_demo_shop(path: Path) -> dict:
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def seed(session: Session, shop: dict) -> tuple[int, int]:
    """Insert customers and orders that are not there yet; returns (customers, orders) added."""
    added_customers = added_orders = 0
    for c in shop["customers"]:
        customer = session.execute(select(Customer).where(Customer.email == c["email"])).scalar_one_or_none()
        if customer is None:
            customer = Customer(
                name=c["name"], name_kana=c["name_kana"], birth_date=_date(c["birth_date"]),
                phone=str(c["phone"]), email=c["email"], postal_code=str(c["postal_code"]),
                address=c["address"],
            )
            session.add(customer)
            added_customers += 1
        for o in c.get("orders", []):
            number = str(o["order_number"])
            if session.execute(select(Order.id).where(Order.order_number == number)).first():
                continue
            order = Order(
                order_number=number, customer=customer, ordered_at=_aware(o["ordered_at"]),
                status=o["status"], subscription=bool(o.get("subscription", False)),
                limited_one_per_household=bool(o.get("limited_one_per_household", False)),
                shipping_fee=int(o.get("shipping_fee", 0)), notes=o.get("notes") or "",
                items=[OrderItem(name=i["name"], quantity=int(i["quantity"]), unit_price=int(i["unit_price"]))
                       for i in o["items"]],
            )
            s = o.get("shipment")
            if s:
                order.shipment = Shipment(
                    carrier=s["carrier"], tracking_number=str(s["tracking_number"]), status=s["status"],
                    shipped_at=_aware(s.get("shipped_at")), expected_delivery=_date(s.get("expected_delivery")),
                    delivered_at=_aware(s.get("delivered_at")), delivered_to=s.get("delivered_to"),
                )
            session.add(order)
            added_orders += 1
    return added_customers, added_orders
