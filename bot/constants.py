"""The catalogue of statuses, severities and reasons: one place, one spelling.

Like python-telegram-bot's ``constants.py``: each set of values the code
compares, stores and counts is a ``StringEnum``. A member *is* its string
(``TicketStatus.OPEN == "open"``), so the database keeps plain text, the
monthly analysis counts plain text, and the templates print plain text; a
typo in the code is an AttributeError instead of a silent mismatch.
"""

from __future__ import annotations

from enum import Enum


class StringEnum(str, Enum):
    """An enum whose members are their own string values (stored, compared and printed as such)."""

    def __str__(self) -> str:
        return str(self.value)

    @classmethod
    def values(cls) -> tuple[str, ...]:
        return tuple(member.value for member in cls)


class TicketStatus(StringEnum):
    """Where a ticket is in its life. Who holds it is a separate fact (``Ticket.claimed_by``)."""

    OPEN = "open"  # with people: in the queue, or being worked by the agent who claimed it
    HANDED_BACK = "handed_back"  # an agent gave the conversation back to the bot
    CLOSED = "closed"  # ended with an outcome


class TroubleStatus(StringEnum):
    """A trouble record's progress; the monthly report counts these."""

    COLLECTING = "collecting"  # recognised, details still being asked
    QUEUED = "queued"  # complete, waiting for a person by its deadline
    HANDED_OFF = "handed_off"  # the conversation went to people (a ticket)
    VERIFICATION_LOCKED = "verification_locked"  # the customer could not prove the order
    PRIVACY_INCIDENT = "privacy_incident"  # the outbound guard stopped a reply


class DeliveryState(StringEnum):
    """An agent's reply on its way to the customer's channel."""

    PENDING = "pending"
    SENDING = "sending"
    DELIVERED = "delivered"  # the customer's channel accepted it
    FAILED = "failed"  # for good: blocked by the guard, or retries exhausted


class Severity(StringEnum):
    """How fast people must look: urgent tickets get the short target around the clock."""

    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"

    @property
    def rank(self) -> int:
        return {"normal": 1, "high": 2, "urgent": 3}[self.value]


class HandoverReason(StringEnum):
    """Why a conversation went to people: the four escalation reasons and a verification lockout."""

    EXCESSIVE_DEMAND = "excessive_demand"
    ABUSIVE = "abusive"
    FRAUD_SCHEME = "fraud_scheme"
    HUMAN_REQUEST = "human_request"
    VERIFICATION_LOCKED = "verification_locked"


class AgentRole(StringEnum):
    AGENT = "agent"
    SUPERVISOR = "supervisor"
