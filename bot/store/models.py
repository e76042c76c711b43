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
    UniqueConstraint,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import declarative_base, relationship
from sqlalchemy.types import TypeDecorator

from bot.constants import TroubleStatus

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
    # Why people took it over (bot.triage.escalation reasons), or NULL: a second decision beside the type.
    escalation_reason = Column(String(30))
    # Fingerprint of the model that classified it (bot.modelfiles), so analysis can tell models apart.
    model_fingerprint = Column(String(20), index=True)
    urgent = Column(Boolean, nullable=False, default=False)
    order_number = Column(String(20))
    detail = Column(Text, nullable=False, default="")
    status = Column(String(20), nullable=False, default=TroubleStatus.COLLECTING)
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

    Keys are HMACs of the sender id, the client (its address, HMAC'd by the
    channel) and the order number, so the table says how often something was
    tried without saying who or which order. ``order_label`` is the masked
    number (MD2611****) that supervisors see in the console's failure report.
    ``*_counted`` are False for attempts refused while that key was already
    locked (or, for the order, past its daily budget): a lock lasts 30
    minutes from the failure that caused it and is not prolonged by tries
    during the lock. An order failure with ``order_counted`` was evaluated.
    """

    __tablename__ = "verification_attempts"
    __table_args__ = (  # the lock queries read these indexes only, however long the history
        Index("ix_verification_attempts_sender_failures", "sender_key", "sender_counted", "succeeded", "at"),
        Index("ix_verification_attempts_order_failures", "order_key", "order_counted", "succeeded", "at"),
        Index("ix_verification_attempts_client_failures", "client_key", "client_counted", "succeeded", "at"),
        Index("ix_verification_attempts_at", "at"),
    )

    id = Column(Integer, primary_key=True)
    at = Column(UTCDateTime, nullable=False)
    sender_key = Column(String(64), nullable=False)
    order_key = Column(String(64))  # None for a code tried in a conversation that is not verified
    kind = Column(String(10), nullable=False)  # "order" | "code"
    succeeded = Column(Boolean, nullable=False)
    sender_counted = Column(Boolean, nullable=False)
    order_counted = Column(Boolean, nullable=False)
    client_key = Column(String(64))
    client_counted = Column(Boolean, nullable=False, default=False)
    order_label = Column(String(20))


class OneTimeCode(Base):
    """A step-up code sent by e-mail; only its HMAC is stored, never the code.

    ``mail_id`` is the mail that carries it (``MailOutbox``), cancelled if a
    newer code replaces this one before it went out.
    """

    __tablename__ = "one_time_codes"
    __table_args__ = (Index("ix_one_time_codes_order_created", "order_id", "created_at"),)

    id = Column(Integer, primary_key=True)
    code_hash = Column(String(64), nullable=False)
    order_id = Column(Integer, ForeignKey("orders.id"), nullable=False)
    conversation_id = Column(String(200), nullable=False, index=True)
    sender_key = Column(String(64), nullable=False)
    created_at = Column(UTCDateTime, nullable=False)
    expires_at = Column(UTCDateTime, nullable=False)
    used_at = Column(UTCDateTime)
    mail_id = Column(Integer, ForeignKey("mail_outbox.id"))


class MailOutbox(Base):
    """A mail to a customer, written in the transaction that decided to send it.

    ``bot.mail.MailSender`` sends it later, off the request path, with
    retries until ``not_after``. The recipient is looked up from
    ``customer_id`` when sending, so no address is copied here; the body is
    sealed (AES-GCM under a key derived from the server secret) because it
    carries a live code, and wiped once the mail is sent or given up.
    """

    __tablename__ = "mail_outbox"
    __table_args__ = (Index("ix_mail_outbox_due", "status", "next_attempt_at"),)

    id = Column(Integer, primary_key=True)
    customer_id = Column(Integer, ForeignKey("customers.id"), nullable=False)
    subject = Column(String(200), nullable=False)
    sealed_body = Column(Text)  # None once sent or given up
    created_at = Column(UTCDateTime, nullable=False)
    not_after = Column(UTCDateTime, nullable=False)  # not worth sending later (the code has expired)
    status = Column(String(10), nullable=False)  # pending | sending | sent | failed | expired | cancelled
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(UTCDateTime, nullable=False)
    sending_since = Column(UTCDateTime)
    sent_at = Column(UTCDateTime)
    last_error = Column(String(200))  # the exception and SMTP code only, never an address


class VerifiedConversation(Base):
    """Who has proven to own which order in a conversation, and how strongly.

    The outbound privacy guard asks this table before anything personal is
    said. ``level`` is "order" (order number + phone digits: order and
    shipment status) or "step_up" (an e-mailed code: everything else). It
    lasts ``bot.config.verification_minutes()`` from ``verified_at``; read it
    through ``bot.identity.verified_customer``, which applies the expiry.
    """

    __tablename__ = "verified_conversations"

    conversation_id = Column(String(200), primary_key=True)
    customer_id = Column(Integer, ForeignKey("customers.id"), nullable=False, index=True)
    order_id = Column(Integer, ForeignKey("orders.id"), nullable=False)
    sender_key = Column(String(64), nullable=False)
    verified_at = Column(UTCDateTime, nullable=False)
    level = Column(String(10), nullable=False)


class Ticket(Base):
    """A conversation handed to people: why, how urgent, who has it, and how it ended.

    While a ticket is ``open`` or ``claimed`` the bot stays silent in that
    conversation (``bot.handoff``); that state lives here, not in Rasa, so it
    survives session expiry and restarts.
    """

    __tablename__ = "tickets"
    __table_args__ = (
        Index("ix_tickets_active_conversation", "conversation_id", "status"),
        # One open ticket per conversation, even when two replicas escalate it at once (migration 0011).
        Index("uq_tickets_one_open_per_conversation", "conversation_id", unique=True,
              postgresql_where=sql_text("status = 'open'"), sqlite_where=sql_text("status = 'open'")),
    )

    id = Column(Integer, primary_key=True)
    reference = Column(String(30), unique=True)
    conversation_id = Column(String(200), nullable=False)
    channel = Column(String(30), nullable=False)
    reason = Column(String(30), nullable=False, index=True)
    severity = Column(String(10), nullable=False)
    evidence = Column(Text, nullable=False, default="")  # one quoted trigger per line
    trouble_reference = Column(String(30))
    status = Column(String(20), nullable=False, index=True)  # open | claimed | handed_back | closed
    claimed_by = Column(Integer, ForeignKey("agents.id"))
    claimed_at = Column(UTCDateTime)
    created_at = Column(UTCDateTime, nullable=False, index=True)
    first_reply_due = Column(UTCDateTime, nullable=False)
    first_human_reply_at = Column(UTCDateTime)
    acknowledged_at = Column(UTCDateTime)  # the one "we passed it on" reply after the hand-off
    ended_at = Column(UTCDateTime)
    outcome = Column(String(30))
    outcome_note = Column(Text)
    # What the conversation had proven when it was handed over (verification itself ends then):
    # which customer and order the case is about, for the agents' order panel, canned replies and
    # the satisfaction question's once-a-week rule. It grants nothing: what a reply may carry is
    # decided by the conversation's live verification (bot.outbound).
    handed_over_customer_id = Column(Integer, ForeignKey("customers.id"))
    handed_over_order_id = Column(Integer, ForeignKey("orders.id"))
    handed_over_level = Column(String(10))
    # bot.clients.client_key of whoever caused the ticket: limits how many one stranger can open.
    client_key = Column(String(64), index=True)

    agent = relationship("Agent")
    messages = relationship("TicketMessage", back_populates="ticket", order_by="TicketMessage.id",
                            cascade="all, delete-orphan")


class TicketMessage(Base):
    """One line of a handed-off conversation's transcript.

    Agents' replies carry a delivery state: the channel that owns the
    conversation sends them (``pending`` → ``sending`` → ``delivered`` or
    ``failed``), so a reply written while a channel is down is not lost.
    """

    __tablename__ = "ticket_messages"
    __table_args__ = (Index("ix_ticket_messages_delivery", "channel", "delivery"),)

    id = Column(Integer, primary_key=True)
    ticket_id = Column(Integer, ForeignKey("tickets.id"), nullable=False, index=True)
    at = Column(UTCDateTime, nullable=False)
    author = Column(String(10), nullable=False)  # customer | bot | agent | system
    agent_id = Column(Integer, ForeignKey("agents.id"))
    text = Column(Text, nullable=False)
    channel = Column(String(30))
    delivery = Column(String(10))  # agents' replies only: pending | sending | delivered | failed
    delivery_attempts = Column(Integer, nullable=False, default=0)
    sending_since = Column(UTCDateTime)
    delivered_at = Column(UTCDateTime)
    delivery_error = Column(String(200))
    next_attempt_at = Column(UTCDateTime)  # after a failed attempt: not before this (backoff)
    retry_key = Column(String(36))  # one UUID per reply, sent with every attempt (LINE's X-Line-Retry-Key)

    ticket = relationship("Ticket", back_populates="messages")
    agent = relationship("Agent")


class Agent(Base):
    """A person who works the console. Passwords are stored as scrypt hashes only."""

    __tablename__ = "agents"

    id = Column(Integer, primary_key=True)
    login = Column(String(50), nullable=False, unique=True)
    display_name = Column(String(100), nullable=False)
    password_hash = Column(String(300), nullable=False)
    role = Column(String(20), nullable=False, default="agent")  # agent | supervisor
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(UTCDateTime, nullable=False)


class LoginThrottle(Base):
    """Console logins counted per login and per client address, one row per key.

    A login attempt first takes a slot with one conditional UPDATE of its
    row (``attempts < limit``), before the password is hashed, so parallel
    requests cannot all pass the check; a successful login gives its slot
    back. Keys are ``login:<HMAC of the login>`` and ``client:<HMAC of the
    address>``: the table says how often something was tried, not who or
    from where.
    """

    __tablename__ = "login_throttle"

    key = Column(String(80), primary_key=True)
    window_started_at = Column(UTCDateTime, nullable=False)
    # Attempts evaluated or still being evaluated in this window (successes given back).
    attempts = Column(Integer, nullable=False, default=0)
    failures = Column(Integer, nullable=False, default=0)
    locked_until = Column(UTCDateTime)


class ConsoleSession(Base):
    """A logged-in browser. Only the SHA-256 of the cookie's token is stored."""

    __tablename__ = "console_sessions"

    token_hash = Column(String(64), primary_key=True)
    agent_id = Column(Integer, ForeignKey("agents.id"), nullable=False, index=True)
    csrf_token = Column(String(64), nullable=False)
    created_at = Column(UTCDateTime, nullable=False)
    expires_at = Column(UTCDateTime, nullable=False)

    agent = relationship("Agent")


class CannedReply(Base):
    """A supervisor's 定型文 for one issue type (or every type); ``{variables}`` are filled from the ticket."""

    __tablename__ = "canned_replies"

    id = Column(Integer, primary_key=True)
    issue_type = Column(String(30), nullable=False, index=True)  # one of bot.support.ISSUE_TYPES, or "any"
    title = Column(String(100), nullable=False)
    body = Column(Text, nullable=False)
    active = Column(Boolean, nullable=False, default=True)
    updated_by = Column(Integer, ForeignKey("agents.id"), nullable=False)
    updated_at = Column(UTCDateTime, nullable=False)


class SatisfactionSurvey(Base):
    """The one question after a resolved ticket, and the customer's answer if they gave one.

    ``status`` is ``pending`` from the moment the question is queued for the
    customer's channel until a score arrives (``answered``) or the customer
    writes something else (``skipped``). ``customer_id`` is the verified
    customer, when there was one, so nobody is asked twice in a week on two
    conversations either.
    """

    __tablename__ = "satisfaction_surveys"
    __table_args__ = (Index("ix_satisfaction_surveys_pending", "conversation_id", "status"),)

    id = Column(Integer, primary_key=True)
    ticket_id = Column(Integer, ForeignKey("tickets.id"), nullable=False, unique=True)
    conversation_id = Column(String(200), nullable=False)
    customer_id = Column(Integer, ForeignKey("customers.id"), index=True)
    agent_id = Column(Integer, ForeignKey("agents.id"), index=True)
    question_id = Column(Integer, ForeignKey("ticket_messages.id"))  # the question in the outbox
    asked_at = Column(UTCDateTime, nullable=False, index=True)
    status = Column(String(10), nullable=False)  # pending | answered | skipped
    score = Column(Integer)
    comment = Column(Text)  # masked
    answered_at = Column(UTCDateTime)

    ticket = relationship("Ticket")
    agent = relationship("Agent")


class GuardedReply(Base):
    """A bot reply the outbound guard replaced before the customer saw it.

    The tracker keeps the bot's own text; a ticket's transcript must show what
    the customer actually received, so ``bot.handoff`` looks replies up here
    by ``original_key`` (an HMAC of the blocked text: the text itself, with
    another customer's data in it, is not kept).
    """

    __tablename__ = "guarded_replies"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(200), nullable=False, index=True)
    at = Column(UTCDateTime, nullable=False)
    original_key = Column(String(64), nullable=False)
    delivered_text = Column(Text, nullable=False)


class WebSession(Base):
    """A web widget session the server issued, and when it was last used (idle ones expire)."""

    __tablename__ = "web_sessions"

    session_key = Column(String(32), primary_key=True)  # the random part; the conversation is web:<key>
    created_at = Column(UTCDateTime, nullable=False)
    last_seen_at = Column(UTCDateTime, nullable=False)


class Notice(Base):
    """A message to many customers at once: a product-safety notice or a data-leak incident.

    ``kind`` is "product_safety" (buyers of ``items`` are found from the
    orders) or "data_leak" (the supervisor names the affected customers;
    the APPI fields below apply). Nothing goes out while ``status`` is
    "draft"; "sending" lets the outbox deliver to its ``NoticeRecipient`` rows.
    """

    __tablename__ = "notices"

    id = Column(Integer, primary_key=True)
    reference = Column(String(30), unique=True)
    kind = Column(String(20), nullable=False, index=True)
    status = Column(String(20), nullable=False, index=True)  # draft | sending | closed
    title = Column(String(200), nullable=False)
    items = Column(Text, nullable=False, default="")  # product names, one per line
    keywords = Column(Text, nullable=False, default="")  # what customers call them, one per line
    what_happened = Column(Text, nullable=False, default="")
    what_to_do = Column(Text, nullable=False, default="")
    contact_deadline = Column(Date)
    created_by = Column(String(100), nullable=False)
    created_at = Column(UTCDateTime, nullable=False)
    sent_at = Column(UTCDateTime)
    # data_leak only
    discovered_at = Column(UTCDateTime)
    data_kinds = Column(Text, nullable=False, default="")  # keys of bot.notices.DATA_KINDS, one per line
    cause = Column(Text, nullable=False, default="")
    wrongful_intent = Column(Boolean, nullable=False, default=False)
    affected = Column(Text, nullable=False, default="")  # order numbers the supervisor named, one per line
    qa_watch_for = Column(Text, nullable=False, default="")
    qa_contact = Column(Text, nullable=False, default="")

    recipients = relationship("NoticeRecipient", back_populates="notice", order_by="NoticeRecipient.id")


class NoticeRecipient(Base):
    """One customer (household) a notice goes to, and how far it got.

    Rows are written once, when sending starts (unique per notice and
    customer: each household once); from then on the outbox delivers them
    like agents' replies: ``pending`` → ``sending`` → ``sent`` (the channel
    accepted) or ``delivered`` (the platform says it reached the chat), or
    ``failed`` after retries; ``retry_key`` is the same on every attempt.
    """

    __tablename__ = "notice_recipients"
    __table_args__ = (
        UniqueConstraint("notice_id", "customer_id", name="uq_notice_recipients_customer"),
        Index("ix_notice_recipients_delivery", "channel", "delivery"),
    )

    id = Column(Integer, primary_key=True)
    notice_id = Column(Integer, ForeignKey("notices.id"), nullable=False, index=True)
    customer_id = Column(Integer, ForeignKey("customers.id"), nullable=False, index=True)
    channel = Column(String(30), nullable=False)  # line | telegram | email
    conversation_id = Column(String(200), index=True)  # chat channels; None for e-mail
    delivery = Column(String(10), nullable=False, default="pending")
    delivery_attempts = Column(Integer, nullable=False, default=0)
    sending_since = Column(UTCDateTime)
    next_attempt_at = Column(UTCDateTime)
    delivered_at = Column(UTCDateTime)
    delivery_error = Column(String(200))
    retry_key = Column(String(36), nullable=False)
    replied_at = Column(UTCDateTime)
    ticket_reference = Column(String(30))

    notice = relationship("Notice", back_populates="recipients")
    customer = relationship("Customer")


class NoticeCheck(Base):
    """A checklist item of an incident ticked by a person (who and when; unticking deletes it)."""

    __tablename__ = "notice_checks"
    __table_args__ = (UniqueConstraint("notice_id", "item", name="uq_notice_checks_item"),)

    id = Column(Integer, primary_key=True)
    notice_id = Column(Integer, ForeignKey("notices.id"), nullable=False, index=True)
    item = Column(String(40), nullable=False)
    checked_by = Column(String(100), nullable=False)
    checked_at = Column(UTCDateTime, nullable=False)


class FaqAnswer(Base):
    """One question the FAQ answered, or could not: the monthly report counts these.

    ``faq_id`` is the entry sent (``outcome`` ``answered``) or the entry the
    model leaned towards when it was unsure. ``question`` is kept, masked,
    only for questions the bot could not answer, for the shop to write new
    entries from. ``solved`` is the customer's 解決した (true) / 解決しない
    (false), or null when they did not say.
    """

    __tablename__ = "faq_answers"
    __table_args__ = (Index("ix_faq_answers_conversation", "conversation_id", "id"),)

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(200), nullable=False)
    channel = Column(String(30), nullable=False)
    outcome = Column(String(20), nullable=False)
    faq_id = Column(String(50), index=True)
    confidence = Column(Float)
    language = Column(String(5), nullable=False, default="ja")
    question = Column(Text, nullable=False, default="")
    asked_at = Column(UTCDateTime, nullable=False, index=True)
    solved = Column(Boolean)
    rated_at = Column(UTCDateTime)
