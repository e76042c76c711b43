"""What a verified customer may hear about their own order: status and dates, nothing personal.

Scoped by design: the only way in is an order id that identity verification
returned for this conversation, and what comes out is a status key and dates.
No name, address, phone, e-mail or other order ever leaves this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy.orm import Session

from bot.store.models import Order
from bot.support import JST, WEEKDAYS_JA, is_delayed


@dataclass(frozen=True)
class OrderStatus:
    """A status key (one response per key in domain.yml) and the dates it mentions."""

    key: str
    carrier: str = ""
    expected_delivery: str = ""
    delivered_on: str = ""

    def as_response_arguments(self) -> dict:
        return {"carrier": self.carrier, "expected_delivery": self.expected_delivery,
                "delivered_on": self.delivered_on}


def format_day(day: date) -> str:
    return f"{day.month}月{day.day}日({WEEKDAYS_JA[day.weekday()]})"


def status_of_verified_order(session: Session, order_id: int, now: datetime) -> OrderStatus:
    order = session.get(Order, order_id)
    shipment = order.shipment
    if order.status in ("cancelled", "returning", "refunded", "received", "preparing") or shipment is None:
        return OrderStatus(order.status if order.status != "shipped" else "preparing")
    if shipment.status == "delivered" and shipment.delivered_at:
        return OrderStatus("delivered", carrier=shipment.carrier,
                           delivered_on=format_day(shipment.delivered_at.astimezone(JST).date()))
    if shipment.status == "returned_to_sender":
        return OrderStatus("returned_to_sender", carrier=shipment.carrier)
    expected = shipment.expected_delivery
    if expected is None:
        return OrderStatus("in_transit_no_date", carrier=shipment.carrier)
    end_of_expected_day = datetime.combine(expected, time(23, 59, 59), tzinfo=JST)
    key = "delayed" if is_delayed(end_of_expected_day, now) else "in_transit"
    return OrderStatus(key, carrier=shipment.carrier, expected_delivery=format_day(expected))


def item_lines_of_verified_order(session: Session, order_id: int) -> list[str]:
    """Item names, quantities and prices: shown only after the one-time code (step-up)."""
    order = session.get(Order, order_id)
    lines = [f"・{i.name} × {i.quantity}（{i.unit_price * i.quantity:,}円）" for i in order.items]
    if order.shipping_fee:
        lines.append(f"・送料（{order.shipping_fee:,}円）")
    lines.append(f"合計 {order.total:,}円")
    return lines
