"""The shop's tables: customers, orders, shipments, troubles and the audit log.

Personal data lives only in ``Customer``. Everything a conversation may learn
about an order goes through ``bot.store.queries``, scoped to one order.
"""

from __future__ import annotations

from datetime import timezone

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import declarative_base, relationship
from sqlalchemy.types import TypeDecorator

Base = declarative_base()


class UTCDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out, stored as naive UTC.

    SQLite keeps no time zone, PostgreSQL would convert; storing naive UTC
    makes both databases return the same instant.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=timezone.utc)


class Customer(Base):
    __tablename__ = "customers"

    id = Column(Integer, primary_key=True)
    name = Column(String(100), nullable=False)
    name_kana = Column(String(100), nullable=False)
    birth_date = Column(Date, nullable=False)
    phone = Column(String(20), nullable=False)
    email = Column(String(200), nullable=False)
    postal_code = Column(String(10), nullable=False)
    address = Column(String(300), nullable=False)

    orders = relationship("Order", back_populates="customer", order_by="Order.ordered_at")


class Order(Base):
    __tablename__ = "orders"

    id = Column(Integer, primary_key=True)
    order_number = Column(String(20), nullable=False, unique=True, index=True)
    customer_id = Column(Integer, ForeignKey("customers.id"), nullable=False, index=True)
    ordered_at = Column(UTCDateTime, nullable=False)
    status = Column(String(20), nullable=False)
    subscription = Column(Boolean, nullable=False, default=False)
    limited_one_per_household = Column(Boolean, nullable=False, default=False)
    shipping_fee = Column(Integer, nullable=False, default=0)
    notes = Column(Text, nullable=False, default="")

    customer = relationship("Customer", back_populates="orders")
    items = relationship("OrderItem", back_populates="order", cascade="all, delete-orphan")
    shipment = relationship("Shipment", back_populates="order", uselist=False,
                            cascade="all, delete-orphan")

    @property
    def total(self) -> int:
        return sum(i.quantity * i.unit_price for i in self.items) + self.shipping_fee


class OrderItem(Base):
    __tablename__ = "order_items"

    id = Column(Integer, primary_key=True)
    order_id = Column(Integer, ForeignKey("orders.id"), nullable=False, index=True)
    name = Column(String(200), nullable=False)
    quantity = Column(Integer, nullable=False)
    unit_price = Column(Integer, nullable=False)

    order = relationship("Order", back_populates="items")


class Shipment(Base):
    __tablename__ = "shipments"

    id = Column(Integer, primary_key=True)
    order_id = Column(Integer, ForeignKey("orders.id"), nullable=False, unique=True)
    carrier = Column(String(50), nullable=False)
    tracking_number = Column(String(50), nullable=False)
    status = Column(String(30), nullable=False)
    shipped_at = Column(UTCDateTime)
    expected_delivery = Column(Date)
    delivered_at = Column(UTCDateTime)
    delivered_to = Column(String(300))

    order = relationship("Order", back_populates="shipment")


class Trouble(Base):
    """One reported trouble, classified, so the shop can analyse trends monthly."""

    __tablename__ = "troubles"

    id = Column(Integer, primary_key=True)
    reference = Column(String(30), unique=True)
    conversation_id = Column(String(200), nullable=False, index=True)
    channel = Column(String(30), nullable=False)
    issue_type = Column(String(30), nullable=False, index=True)
    confidence = Column(Float)
    urgent = Column(Boolean, nullable=False, default=False)
    order_number = Column(String(20))
    detail = Column(Text, nullable=False, default="")
    status = Column(String(20), nullable=False, default="collecting")
    created_at = Column(UTCDateTime, nullable=False, index=True)
    updated_at = Column(UTCDateTime, nullable=False)
    reply_due = Column(UTCDateTime, nullable=False)


class AuditEntry(Base):
    """Who did what, when. Details are masked before they are written."""

    __tablename__ = "audit_log"

    id = Column(Integer, primary_key=True)
    at = Column(UTCDateTime, nullable=False, index=True)
    actor = Column(String(100), nullable=False)
    action = Column(String(50), nullable=False, index=True)
    conversation_id = Column(String(200), index=True)
    detail = Column(Text, nullable=False, default="")



class VerificationAttempt(Base):
    """One try at proving who you are, kept so limits hold across restarts.

    Keys are HMACs of the sender id and the order number, so the table says
    how often something was tried without saying who or which order.
    ``sender_counted``/``order_counted`` are False for attempts refused while
    that key was already locked: a lock lasts 30 minutes from the failure
    that caused it and is not prolonged by tries during the lock.
    """

    __tablename__ = "verification_attempts"
    __table_args__ = (  # the lock queries read these indexes only, however long the history
        Index("ix_verification_attempts_sender_failures", "sender_key", "sender_counted", "succeeded", "at"),
        Index("ix_verification_attempts_order_failures", "order_key", "order_counted", "succeeded", "at"),
    )

    id = Column(Integer, primary_key=True)
    at = Column(UTCDateTime, nullable=False)
    sender_key = Column(String(64), nullable=False)
    order_key = Column(String(64))  # None for a code tried in a conversation that is not verified
    kind = Column(String(10), nullable=False)  # "order" | "code"
    succeeded = Column(Boolean, nullable=False)
    sender_counted = Column(Boolean, nullable=False)
    order_counted = Column(Boolean, nullable=False)


class OneTimeCode(Base):
    """A step-up code sent by e-mail; only its HMAC is stored, never the code."""

    __tablename__ = "one_time_codes"

    id = Column(Integer, primary_key=True)
    code_hash = Column(String(64), nullable=False)
    order_id = Column(Integer, ForeignKey("orders.id"), nullable=False)
    conversation_id = Column(String(200), nullable=False, index=True)
    sender_key = Column(String(64), nullable=False)
    created_at = Column(UTCDateTime, nullable=False)
    expires_at = Column(UTCDateTime, nullable=False)
    used_at = Column(UTCDateTime)


class VerifiedConversation(Base):
    """Who has proven to own which order in a conversation, and how strongly.

    The outbound privacy guard asks this table before anything personal is
    said. ``level`` is "order" (order number + phone digits: order and
    shipment status) or "step_up" (plus an e-mailed code: everything else).
    """

    __tablename__ = "verified_conversations"

    conversation_id = Column(String(200), primary_key=True)
    customer_id = Column(Integer, ForeignKey("customers.id"), nullable=False, index=True)
    order_id = Column(Integer, ForeignKey("orders.id"), nullable=False)
    sender_key = Column(String(64), nullable=False)
    verified_at = Column(UTCDateTime, nullable=False)
    level = Column(String(10), nullable=False)
