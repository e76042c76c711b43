"""The demo shop as the tests see it: customers, their orders, and the privacy index.

Red-team checks are generated from data/demo_shop.yml, so a new demo customer
is covered without touching a test.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from bot.config import load_settings
from bot.privacy import PersonalDataIndex, PersonRecord
from bot.store.seed import load_demo_shop


@dataclass(frozen=True)
class DemoCustomer:
    customer_id: int  # position in the file, 1-based: the id the seeder gives on a fresh database
    name: str
    phone_last4: str
    email: str
    address: str
    order_numbers: tuple[str, ...]

    @property
    def family_name(self) -> str:
        return self.name.split(" ")[0]


@lru_cache(maxsize=1)
def demo_shop() -> dict:
    return load_demo_shop(load_settings().demo_shop_file)


@lru_cache(maxsize=1)
def customers() -> tuple[DemoCustomer, ...]:
    result = []
    for position, c in enumerate(demo_shop()["customers"], start=1):
        digits = "".join(ch for ch in str(c["phone"]) if ch.isdigit())
        result.append(DemoCustomer(position, c["name"], digits[-4:], c["email"], c["address"],
                                   tuple(o["order_number"] for o in c["orders"])))
    return tuple(result)


def owner_of(order_number: str) -> DemoCustomer:
    return next(c for c in customers() if order_number in c.order_numbers)


def tracking_number_of(order_number: str) -> str | None:
    order = next(o for c in demo_shop()["customers"] for o in c["orders"] if o["order_number"] == order_number)
    return str(order["shipment"]["tracking_number"]) if order.get("shipment") else None


def same_address_households() -> tuple[DemoCustomer, DemoCustomer]:
    """The two households at one address with different surnames (the case this project grew from)."""
    by_address: dict[str, list[DemoCustomer]] = {}
    for c in customers():
        by_address.setdefault(c.address, []).append(c)
    for group in by_address.values():
        if len(group) == 2 and group[0].family_name != group[1].family_name:
            return group[0], group[1]
    raise AssertionError("demo shop has no same-address households with different surnames")


@lru_cache(maxsize=1)
def privacy_index() -> PersonalDataIndex:
    people = []
    for position, c in enumerate(demo_shop()["customers"], start=1):
        people.append(PersonRecord(
            customer_id=position, name=c["name"], name_kana=c["name_kana"], birth_date=c["birth_date"],
            phone=str(c["phone"]), email=c["email"], postal_code=str(c["postal_code"]), address=c["address"],
            order_numbers=tuple(o["order_number"] for o in c["orders"]),
            tracking_numbers=tuple(str(o["shipment"]["tracking_number"]) for o in c["orders"] if o.get("shipment")),
        ))
    return PersonalDataIndex(people)
