"""When something goes wrong for many customers at once: product-safety notices and data-leak incidents.

A recall page alone reaches about 60 % of buyers, so a product that can hurt
people is announced to every buyer directly: the buyers are found from the
orders (each household once: two households at one address are two
customers), and each gets the notice on the channel where they talk to the
shop (LINE push, Telegram) or by mail. A personal-data leak is told to each
affected customer the same way, with an apology, and keeps the APPI clock
(速報 / 確報 to the Personal Information Protection Commission).

Sending goes through an outbox, the same mechanism as agents' replies
(``bot.handoff.claim_deliveries``): one ``NoticeRecipient`` row per customer,
written once when sending starts; every claim is a conditional UPDATE, a
claim left ``sending`` by a process that died is taken again after a minute,
failures back off (``handoff.retry_backoff``), and every attempt carries the
recipient's own ``retry_key`` (LINE's X-Line-Retry-Key drops a duplicate).
So a restart mid-send neither skips nor repeats anyone. The LINE and
Telegram channels deliver through ``bot.channels.notices.NoticePump``; mail
goes out from ``deliver_mail`` (the console runs it, so does the CLI).

A customer's reply to a notice is the customer-turn pipeline's business
(``answer_customer``): a product-safety reply opens a ``product_safety``
trouble and a ticket for people; an affected customer's question about a
leak is answered from the incident's approved Q&A, anything else goes to
people with reason ``human_request``. Anyone who asks about a recalled
product hears the notice, "stop using it" first.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Callable, Iterable

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from bot import handoff, identity, support, templates
from bot.business_calendar import DEFAULT_CALENDAR
from bot.mail import Mailer
from bot.outbound import load_people
from bot.privacy import NOBODY, PersonalDataIndex, mask_name, mask_personal_data, screen_reply
from bot.store.db import session_scope
from bot.store.models import (
    AuditEntry,
    Customer,
    Notice,
    NoticeCheck,
    NoticeRecipient,
    Order,
    OrderItem,
    Ticket,
    Trouble,
    VerifiedConversation,
)
from bot.support import JST

PRODUCT_SAFETY, DATA_LEAK = "product_safety", "data_leak"
KIND_LABELS = {PRODUCT_SAFETY: "製品安全のお知らせ（リコール・使用中止）", DATA_LEAK: "個人情報漏えい等事案"}
DRAFT, SENDING, CLOSED = "draft", "sending", "closed"
STATUS_LABELS = {DRAFT: "下書き（未送信）", SENDING: "送信中・送信済み", CLOSED: "終了"}

# Where a notice goes: the chat channels that can push to a customer, else mail.
EMAIL = "email"
PUSH_CHANNELS = ("line", "telegram")
CHANNEL_LABELS = {"line": "LINE", "telegram": "Telegram", EMAIL: "メール"}
# Telegram's sendMessage answers with the message as it now stands in the chat: delivered.
# LINE accepts a push without saying whether it reached the phone; SMTP accepts a mail: sent.
PLATFORM_CONFIRMS_DELIVERY = frozenset({"telegram"})
DELIVERY_LABELS = {"pending": "送信待ち", "sending": "送信中", "sent": "送信済み", "delivered": "配信確認済み",
                   "failed": "送信失敗"}
DONE = ("sent", "delivered")
# Orders that never reached the customer do not make them a buyer.
NOT_BOUGHT = frozenset({"cancelled"})

MAX_ITEMS = 20
MAX_TEXT = 2000
MAX_TITLE = 100
MAX_AFFECTED = 100_000
STALE_CLAIM = timedelta(minutes=1)

LINE_USER_ID = re.compile(r"U[0-9a-f]{32}")
TELEGRAM_CHAT_ID = re.compile(r"-?\d{1,20}")

# Kinds of leaked data and the APPI rule (個人情報保護委員会規則第7条) each one triggers, if any.
DATA_KINDS = {
    "name": "氏名",
    "address": "住所",
    "phone": "電話番号",
    "email": "メールアドレス",
    "birth_date": "生年月日",
    "order_history": "ご注文の履歴",
    "card_number": "クレジットカード番号",
    "bank_account": "銀行口座の情報",
    "login_password": "ログインIDとパスワード",
    "health": "健康状態・病歴に関する情報",
}
SENSITIVE_KINDS = frozenset({"health"})  # 要配慮個人情報
FINANCIAL_HARM_KINDS = frozenset({"card_number", "bank_account", "login_password"})  # 財産的被害のおそれ
REPORT_THRESHOLD = 1000  # more than this many people
PRELIMINARY_TARGET_DAYS, PRELIMINARY_LIMIT_DAYS = 3, 5  # 速報: 「速やかに」, in practice 3–5 days
FINAL_DAYS, FINAL_DAYS_WRONGFUL = 30, 60  # 確報
RULES = {
    "sensitive": "第1号：要配慮個人情報が含まれる",
    "financial": "第2号：不正に利用されると財産的被害が生じるおそれがある（カード番号など）",
    "wrongful": "第3号：不正の目的をもって行われたおそれがある",
    "over_1000": f"第4号：本人の数が{REPORT_THRESHOLD:,}人を超える",
}
CHECKLIST = {
    "contained": "原因を止めた（アクセスの遮断、パスワードの変更など）",
    "scope_fixed": "影響を受けたお客様と情報の種類を確定した",
    "ppc_preliminary": "個人情報保護委員会へ速報を提出した",
    "customers_notified": "ご本人への通知を送った",
    "card_companies": "カード会社・決済代行へ連絡した（カード番号が含まれる場合）",
    "police": "警察へ相談した（不正の目的のおそれがある場合）",
    "publication": "公表の要否を判断した",
    "ppc_final": "個人情報保護委員会へ確報を提出した",
}

# What an affected customer may ask the bot about a leak, and the words that show it.
# Anything that matches none of these goes to people (reason human_request).
LEAK_TOPICS = (
    ("what", ("何が", "なにが", "どの情報", "どんな情報", "何の情報", "漏れた", "漏れ", "漏洩", "漏えい", "流出",
              "私の情報", "わたしの情報", "自分の情報")),
    ("watch", ("フィッシング", "詐欺", "不審", "気をつけ", "気を付け", "注意", "カード", "不正利用", "迷惑メール",
               "どうすれば", "どうしたら")),
    ("contact", ("問い合わせ", "問合せ", "窓口", "連絡先", "相談")),
)


class NoticeError(Exception):
    """A supervisor's input or action that cannot be done; ``message`` is Japanese for the console."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# ---------------------------------------------------------------------------
# Who is reached, and on which channel
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Route:
    """Where one customer hears from the shop: a chat conversation, or mail (no conversation)."""

    customer_id: int
    channel: str
    conversation_id: str | None = None


@dataclass(frozen=True)
class Audience:
    """The preview: how many customers a notice reaches, by channel, and the LINE pushes it uses."""

    routes: tuple[Route, ...]

    @property
    def total(self) -> int:
        return len(self.routes)

    @property
    def by_channel(self) -> dict[str, int]:
        counts = {channel: 0 for channel in (*PUSH_CHANNELS, EMAIL)}
        for route in self.routes:
            counts[route.channel] += 1
        return counts

    @property
    def line_pushes(self) -> int:
        """One push call per LINE customer: LINE counts a push per recipient against the monthly quota."""
        return self.by_channel["line"]

    def as_json(self) -> dict:
        return {"customers": self.total, "by_channel": self.by_channel, "line_pushes": self.line_pushes}


def catalogue(session: Session) -> list[str]:
    """Every product name in the orders, for the supervisor to choose from."""
    return list(session.execute(select(OrderItem.name).distinct().order_by(OrderItem.name)).scalars())


def buyers(session: Session, items: Iterable[str]) -> list[int]:
    """Customers (households) with an order of any of ``items`` that was not cancelled; each once."""
    items = list(items)
    if not items:
        return []
    return list(session.execute(
        select(Order.customer_id).join(OrderItem)
        .where(OrderItem.name.in_(items), Order.status.notin_(NOT_BOUGHT))
        .distinct().order_by(Order.customer_id)
    ).scalars())


def channel_of_conversation(conversation_id: str, recorded: str | None = None) -> str:
    """The channel a conversation belongs to: as a ticket or trouble recorded it, else by the id's shape."""
    if recorded and recorded != "unknown":
        return recorded
    if conversation_id.startswith("web:"):
        return "web"
    if conversation_id.startswith("rest:"):
        return "rest"
    if LINE_USER_ID.fullmatch(conversation_id):
        return "line"
    if TELEGRAM_CHAT_ID.fullmatch(conversation_id):
        return "telegram"
    return "unknown"


def routes_for(session: Session, customer_ids: Iterable[int]) -> list[Route]:
    """Each customer's channel: their most recent conversation verified for one of their orders.

    Conversations come from ``verified_conversations`` (who proved what
    where) and from trouble records (which name the order); the channel is
    the one a ticket or trouble of that conversation recorded. A LINE or
    Telegram conversation gets a push; web and REST customers, and customers
    who never chatted, get mail at the address on file.
    """
    ids = sorted(set(customer_ids))
    latest: dict[int, tuple[datetime, str, str | None]] = {}

    def consider(customer_id: int, at: datetime, conversation_id: str, channel: str | None) -> None:
        if customer_id not in latest or at > latest[customer_id][0]:
            latest[customer_id] = (at, conversation_id, channel)

    for chunk in _chunks(ids, 500):
        for customer_id, at, conversation_id in session.execute(
            select(VerifiedConversation.customer_id, VerifiedConversation.verified_at,
                   VerifiedConversation.conversation_id).where(VerifiedConversation.customer_id.in_(chunk))
        ).all():
            consider(customer_id, at, conversation_id, None)
        for customer_id, at, conversation_id, channel in session.execute(
            select(Order.customer_id, Trouble.updated_at, Trouble.conversation_id, Trouble.channel)
            .join(Order, Order.order_number == Trouble.order_number).where(Order.customer_id.in_(chunk))
        ).all():
            consider(customer_id, at, conversation_id, channel)
    recorded = _recorded_channels(session, [conversation for _, conversation, _ in latest.values()])
    routes = []
    for customer_id in ids:
        if customer_id in latest:
            _, conversation_id, channel = latest[customer_id]
            channel = channel_of_conversation(conversation_id, channel or recorded.get(conversation_id))
            if channel in PUSH_CHANNELS:
                routes.append(Route(customer_id, channel, conversation_id))
                continue
        routes.append(Route(customer_id, EMAIL))
    return routes


def _recorded_channels(session: Session, conversation_ids: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for chunk in _chunks(conversation_ids, 500):
        for model in (Ticket, Trouble):
            for conversation_id, channel in session.execute(
                select(model.conversation_id, model.channel).where(model.conversation_id.in_(chunk))
            ).all():
                if channel and channel != "unknown":
                    found.setdefault(conversation_id, channel)
    return found


def _chunks(values: list, size: int) -> Iterable[list]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def affected_customers(session: Session, notice: Notice) -> list[int]:
    """Who a notice is for: the buyers of its items, or the customers of the orders an incident names."""
    if notice.kind == PRODUCT_SAFETY:
        return buyers(session, split_lines(notice.items))
    numbers = split_lines(notice.affected)
    ids: set[int] = set()
    for chunk in _chunks(numbers, 500):
        ids.update(session.execute(select(Order.customer_id).where(Order.order_number.in_(chunk))).scalars())
    return sorted(ids)


def audience(session: Session, notice: Notice) -> Audience:
    """The preview; once sending started, exactly the recipients written then."""
    if notice.status != DRAFT:
        rows = session.execute(
            select(NoticeRecipient.customer_id, NoticeRecipient.channel, NoticeRecipient.conversation_id)
            .where(NoticeRecipient.notice_id == notice.id).order_by(NoticeRecipient.customer_id)
        ).all()
        return Audience(tuple(Route(*row) for row in rows))
    return Audience(tuple(routes_for(session, affected_customers(session, notice))))


def item_audience(session: Session, items: Iterable[str]) -> Audience:
    """The preview for items before any notice exists (``madoguchi recall --dry-run``)."""
    items = list(items)
    known = set(catalogue(session))
    unknown = [item for item in items if item not in known]
    if unknown:
        raise NoticeError("カタログにない商品です：" + "、".join(unknown))
    return Audience(tuple(routes_for(session, buyers(session, items))))


# ---------------------------------------------------------------------------
# Creating notices and incidents
# ---------------------------------------------------------------------------

def split_lines(text: str) -> list[str]:
    return list(dict.fromkeys(line.strip() for line in (text or "").splitlines() if line.strip()))


def _required(value: str, label: str, limit: int = MAX_TEXT) -> str:
    value = (value or "").strip()
    if not value:
        raise NoticeError(f"{label}を入力してください。")
    if len(value) > limit:
        raise NoticeError(f"{label}が長すぎます（{limit}文字まで）。")
    return value


def _refuse_personal_data(session: Session, *texts: str) -> None:
    """A text for many customers names no one: checked against every customer, as the outbound guard does.

    The chat channels' guard would stop such a notice per recipient, but only
    after it was sent to some and mail has no guard; better to say so here.
    """
    index = PersonalDataIndex(load_people(session.get_bind()))
    if any(not screen_reply(text, index, NOBODY).allowed for text in texts if text):
        raise NoticeError("本文にお客様の個人情報（氏名・住所・電話番号・注文番号など）が含まれています。"
                          "多くのお客様に届く文面には、個人を特定できる情報を書かないでください。")


def _audit(session: Session, *, actor: str, action: str, notice: Notice, now: datetime, detail: str = "") -> None:
    session.add(AuditEntry(at=now, actor=actor, action=action,
                           detail=f"notice {notice.reference}" + (f": {detail}" if detail else "")))


def _numbered(session: Session, notice: Notice, now: datetime) -> Notice:
    session.add(notice)
    session.flush()
    letter = "R" if notice.kind == PRODUCT_SAFETY else "L"
    notice.reference = f"{letter}{now.astimezone(JST):%Y%m%d}-{notice.id:04d}"
    return notice


# Words that start product names without naming the product: 限定 福袋2026 is asked about as 福袋.
GENERIC_WORDS = frozenset({"限定", "新", "新作", "特選", "有機", "無添加", "オーガニック", "国産", "北海道産", "定番"})


def default_keywords(items: Iterable[str]) -> list[str]:
    """What customers call an item: its name's first telling word, without a year or a size.

    加湿器 for 「加湿器 超音波式 4L」, 福袋 for 「限定 福袋2026」; a name of one
    word is its own keyword. The supervisor can replace these in the form.
    """
    words = []
    for item in items:
        tokens = [re.sub(r"[0-9０-９.]+[A-Za-zＡ-Ｚａ-ｚ]*$", "", t) for t in item.replace("\u3000", " ").split(" ")]
        telling = [t for t in tokens if len(t) >= 2 and t not in GENERIC_WORDS]
        words.append(telling[0] if telling else item)
    return list(dict.fromkeys(words))


def create_product_notice(session: Session, *, items: Iterable[str], title: str, what_happened: str,
                          what_to_do: str, contact_deadline: date | None, actor: str, now: datetime,
                          keywords: Iterable[str] = ()) -> Notice:
    """A draft product-safety notice; nothing is sent until ``start_sending``."""
    items = list(dict.fromkeys(i.strip() for i in items if i and i.strip()))
    if not items:
        raise NoticeError("対象の商品を1つ以上選んでください。")
    if len(items) > MAX_ITEMS:
        raise NoticeError(f"対象の商品は{MAX_ITEMS}件までです。")
    known = set(catalogue(session))
    unknown = [item for item in items if item not in known]
    if unknown:
        raise NoticeError("カタログにない商品です：" + "、".join(unknown))
    if contact_deadline is not None and contact_deadline < now.astimezone(JST).date():
        raise NoticeError("ご連絡の期限が過去の日付です。")
    keywords = [k.strip() for k in keywords if k and k.strip()] or default_keywords(items)
    _refuse_personal_data(session, title, what_happened, what_to_do)
    notice = _numbered(session, Notice(
        kind=PRODUCT_SAFETY, status=DRAFT, title=_required(title, "件名", MAX_TITLE), items="\n".join(items),
        keywords="\n".join(dict.fromkeys(keywords)), what_happened=_required(what_happened, "何が起きたか"),
        what_to_do=_required(what_to_do, "お客様にお願いすること"), contact_deadline=contact_deadline,
        created_by=actor, created_at=now,
    ), now)
    _audit(session, actor=actor, action="notice_create", notice=notice, now=now, detail=f"items={len(items)}")
    return notice


def create_leak_incident(session: Session, *, title: str, discovered_at: datetime, affected_orders: Iterable[str],
                         data_kinds: Iterable[str], cause: str, wrongful_intent: bool, actor: str, now: datetime,
                         watch_for: str = "", contact: str = "") -> Notice:
    """A data-leak incident in draft: its APPI clock runs from ``discovered_at`` at once."""
    kinds = [k for k in dict.fromkeys(data_kinds) if k]
    if not kinds:
        raise NoticeError("漏えいした情報の種類を1つ以上選んでください。")
    if any(k not in DATA_KINDS for k in kinds):
        raise NoticeError("情報の種類が正しくありません。")
    if discovered_at > now:
        raise NoticeError("発覚日時が未来になっています。")
    numbers = list(dict.fromkeys(n.strip().upper() for n in affected_orders if n and n.strip()))
    if not numbers:
        raise NoticeError("影響を受けたお客様の注文番号を1行に1つずつ入力してください。")
    if len(numbers) > MAX_AFFECTED:
        raise NoticeError(f"注文番号は{MAX_AFFECTED:,}件までです。")
    known: set[str] = set()
    for chunk in _chunks(numbers, 500):
        known.update(session.execute(select(Order.order_number).where(Order.order_number.in_(chunk))).scalars())
    unknown = [n for n in numbers if n not in known]
    if unknown:
        raise NoticeError(f"見つからない注文番号が{len(unknown)}件あります（{'、'.join(unknown[:5])}"
                          f"{' ほか' if len(unknown) > 5 else ''}）。")
    _refuse_personal_data(session, cause, watch_for, contact)
    notice = _numbered(session, Notice(
        kind=DATA_LEAK, status=DRAFT, title=_required(title, "件名", MAX_TITLE), discovered_at=discovered_at,
        affected="\n".join(numbers), data_kinds="\n".join(kinds), cause=_required(cause, "原因（現時点でわかっていること）"),
        wrongful_intent=bool(wrongful_intent), what_happened="", what_to_do="",
        qa_watch_for=(watch_for or "").strip()[:MAX_TEXT] or templates.DATA_LEAK_DEFAULT_WATCH_FOR,
        qa_contact=(contact or "").strip()[:MAX_TEXT] or templates.DATA_LEAK_DEFAULT_CONTACT,
        created_by=actor, created_at=now,
    ), now)
    _audit(session, actor=actor, action="incident_create", notice=notice, now=now,
           detail=f"orders={len(numbers)} kinds={','.join(kinds)} wrongful={bool(wrongful_intent)}")
    return notice


def get_notice(session: Session, notice_id: int) -> Notice:
    notice = session.get(Notice, notice_id)
    if notice is None:
        raise NoticeError("このお知らせは見つかりません。")
    return notice


def list_notices(session: Session, kind: str | None = None) -> list[Notice]:
    query = select(Notice).order_by(Notice.created_at.desc(), Notice.id.desc())
    if kind:
        query = query.where(Notice.kind == kind)
    return list(session.execute(query).scalars())


# ---------------------------------------------------------------------------
# The APPI clock (data-leak incidents)
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Deadline:
    label: str
    due: date
    days_left: int  # negative: overdue


@dataclass(frozen=True)
class Assessment:
    """Whether the incident must be reported to the Commission, by which rules, and by when."""

    rules: tuple[str, ...]  # keys of RULES that apply
    affected: int
    preliminary_target: Deadline
    preliminary_limit: Deadline
    final: Deadline

    @property
    def report_required(self) -> bool:
        return bool(self.rules)

    @property
    def rule_labels(self) -> list[str]:
        return [RULES[r] for r in self.rules]


def assess(notice: Notice, affected: int, now: datetime) -> Assessment:
    """APPI Article 26 and the Commission's rules, article 7: a report is required if any rule applies.

    速報 is due 「速やかに」, in practice within 3–5 days of discovery; 確報
    within 30 days, 60 when wrongful intent may be involved. Days count in
    Japan's calendar from the day of discovery.
    """
    kinds = set(split_lines(notice.data_kinds))
    rules = []
    if kinds & SENSITIVE_KINDS:
        rules.append("sensitive")
    if kinds & FINANCIAL_HARM_KINDS:
        rules.append("financial")
    if notice.wrongful_intent:
        rules.append("wrongful")
    if affected > REPORT_THRESHOLD:
        rules.append("over_1000")
    found = notice.discovered_at.astimezone(JST).date()
    today = now.astimezone(JST).date()

    def deadline(label: str, days: int) -> Deadline:
        due = found + timedelta(days=days)
        return Deadline(label, due, (due - today).days)

    final_days = FINAL_DAYS_WRONGFUL if notice.wrongful_intent else FINAL_DAYS
    return Assessment(tuple(rules), affected,
                      deadline("速報（目安）", PRELIMINARY_TARGET_DAYS),
                      deadline("速報（遅くとも）", PRELIMINARY_LIMIT_DAYS),
                      deadline(f"確報（{final_days}日以内）", final_days))


def checks(session: Session, notice_id: int) -> dict[str, NoticeCheck]:
    return {c.item: c for c in session.execute(
        select(NoticeCheck).where(NoticeCheck.notice_id == notice_id)).scalars()}


def tick(session: Session, notice_id: int, item: str, done: bool, actor: str, now: datetime) -> None:
    """A person ticks (or unticks) a checklist item; both are audited with who and when."""
    if item not in CHECKLIST:
        raise NoticeError("このチェック項目はありません。")
    notice = get_notice(session, notice_id)
    existing = checks(session, notice_id).get(item)
    if done and existing is None:
        session.add(NoticeCheck(notice_id=notice_id, item=item, checked_by=actor, checked_at=now))
    elif not done and existing is not None:
        session.delete(existing)
    else:
        return
    _audit(session, actor=actor, action="incident_check" if done else "incident_uncheck", notice=notice, now=now,
           detail=item)


# ---------------------------------------------------------------------------
# Sending: recipients written once, then the outbox
# ---------------------------------------------------------------------------

def start_sending(session: Session, notice_id: int, actor: str, now: datetime) -> int:
    """Writes one recipient per customer and lets the outbox send; returns how many recipients.

    Only the first call does anything (a conditional UPDATE from draft), so a
    double click or two supervisors at once send the notice once.
    """
    notice = get_notice(session, notice_id)
    won = session.execute(
        update(Notice).where(Notice.id == notice_id, Notice.status == DRAFT)
        .values(status=SENDING, sent_at=now).execution_options(synchronize_session=False)
    ).rowcount
    if not won:
        return session.execute(select(func.count()).select_from(NoticeRecipient)
                               .where(NoticeRecipient.notice_id == notice_id)).scalar_one()
    routes = routes_for(session, affected_customers(session, notice))
    for route in routes:
        session.add(NoticeRecipient(notice_id=notice_id, customer_id=route.customer_id, channel=route.channel,
                                    conversation_id=route.conversation_id, delivery="pending",
                                    delivery_attempts=0, retry_key=str(uuid.uuid4())))
    session.refresh(notice)
    _audit(session, actor=actor, action="notice_send", notice=notice, now=now,
           detail=" ".join(f"{c}={n}" for c, n in Audience(tuple(routes)).by_channel.items()))
    return len(routes)


def close(session: Session, notice_id: int, actor: str, now: datetime) -> Notice:
    """The case is over: the bot stops repeating the notice and nothing still pending goes out."""
    notice = get_notice(session, notice_id)
    if notice.status != CLOSED:
        notice.status = CLOSED
        _audit(session, actor=actor, action="notice_close", notice=notice, now=now)
    return notice


def _takeable(now: datetime):
    due = or_(NoticeRecipient.next_attempt_at.is_(None), NoticeRecipient.next_attempt_at <= now)
    return or_(and_(NoticeRecipient.delivery == "pending", due),
               and_(NoticeRecipient.delivery == "sending", NoticeRecipient.sending_since < now - STALE_CLAIM))


def _claim(session: Session, channel: str, now: datetime, limit: int, conversation_id: str | None) -> list[int]:
    takeable = _takeable(now)
    query = (select(NoticeRecipient.id).join(Notice)
             .where(Notice.status == SENDING, NoticeRecipient.channel == channel, takeable)
             .order_by(NoticeRecipient.id).limit(limit))
    if conversation_id is not None:
        query = query.where(NoticeRecipient.conversation_id == conversation_id)
    taken = []
    for recipient_id in session.execute(query).scalars().all():
        won = session.execute(
            update(NoticeRecipient).where(NoticeRecipient.id == recipient_id, takeable)
            .values(delivery="sending", sending_since=now,
                    delivery_attempts=NoticeRecipient.delivery_attempts + 1)
            .execution_options(synchronize_session=False)
        ).rowcount
        if won:
            taken.append(recipient_id)
    return taken


def claim_deliveries(session: Session, channel: str, now: datetime, limit: int = 20,
                     conversation_id: str | None = None) -> list[handoff.Delivery]:
    """Notices a chat channel should push now, marked ``sending`` (as ``handoff.claim_deliveries``)."""
    taken = _claim(session, channel, now, limit, conversation_id)
    rows = session.execute(
        select(NoticeRecipient, Notice).join(Notice).where(NoticeRecipient.id.in_(taken)).order_by(NoticeRecipient.id)
    ).all() if taken else []
    return [handoff.Delivery(r.id, r.conversation_id, chat_text(n), "", r.retry_key) for r, n in rows]


def conversations_with_pending(session: Session, channel: str, now: datetime) -> list[str]:
    return list(session.execute(
        select(NoticeRecipient.conversation_id).join(Notice)
        .where(Notice.status == SENDING, NoticeRecipient.channel == channel, NoticeRecipient.delivery == "pending",
               or_(NoticeRecipient.next_attempt_at.is_(None), NoticeRecipient.next_attempt_at <= now))
        .distinct()
    ).scalars())


def delivery_done(session: Session, recipient_id: int, now: datetime, error: str | None = None,
                  retry: bool = False) -> None:
    """How sending went, as ``handoff.delivery_done``: retried with backoff within the same window."""
    recipient = session.get(NoticeRecipient, recipient_id)
    if recipient is None or recipient.delivery in DONE:
        return
    if error is None:
        recipient.delivery = "delivered" if recipient.channel in PLATFORM_CONFIRMS_DELIVERY else "sent"
        recipient.delivered_at, recipient.delivery_error, recipient.next_attempt_at = now, None, None
        return
    recipient.delivery_error = error[:200]
    notice = session.get(Notice, recipient.notice_id)
    started = notice.sent_at if notice is not None and notice.sent_at else now
    if retry and now - started < handoff.DELIVERY_RETRY_WINDOW:
        recipient.delivery = "pending"
        recipient.next_attempt_at = now + handoff.retry_backoff(recipient.delivery_attempts)
    else:
        recipient.delivery, recipient.delivered_at, recipient.next_attempt_at = "failed", now, None


@dataclass(frozen=True)
class MailDelivery:
    recipient_id: int
    retry_key: str
    to: str
    subject: str
    body: str


def claim_mail(session: Session, now: datetime, limit: int = 20) -> list[MailDelivery]:
    """Mail notices to send now, marked ``sending``; the address is read from the customer at send time."""
    taken = _claim(session, EMAIL, now, limit, None)
    rows = session.execute(
        select(NoticeRecipient, Notice, Customer.email).join(Notice).join(Customer)
        .where(NoticeRecipient.id.in_(taken)).order_by(NoticeRecipient.id)
    ).all() if taken else []
    return [MailDelivery(r.id, r.retry_key, email, *mail_text(n)) for r, n, email in rows]


def deliver_mail(mailer: Mailer, now: Callable[[], datetime] = handoff.now_utc, limit: int = 20, engine=None) -> int:
    """Sends up to ``limit`` mail notices that are due, one claim at a time; returns how many went.

    Each claim is committed before the mail is handed over and its result
    right after, one recipient at a time, so a claim is never older than one
    SMTP call (well under the minute after which it counts as abandoned) and
    a process that dies leaves at most one ``sending`` row, taken again a
    minute later. SMTP has no retry key; the Message-ID is the recipient's own
    on every attempt, so the one mail that could go twice (the server
    accepted it, the process died before recording that) is the same mail to
    the customer's client.
    """
    sent = 0
    for _ in range(limit):
        with session_scope(engine) as session:
            claimed = claim_mail(session, now(), 1)
        if not claimed:
            break
        [delivery] = claimed
        try:
            mailer.send(delivery.to, delivery.subject, delivery.body, message_key=f"notice-{delivery.retry_key}")
        except Exception as failure:  # noqa: BLE001 - recorded on the recipient and retried with backoff
            with session_scope(engine) as session:
                delivery_done(session, delivery.recipient_id, now(), type(failure).__name__, retry=True)
            continue
        with session_scope(engine) as session:
            delivery_done(session, delivery.recipient_id, now())
        sent += 1
    return sent


# ---------------------------------------------------------------------------
# The texts
# ---------------------------------------------------------------------------

def _deadline_label(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日（{support.WEEKDAYS_JA[day.weekday()]}）"


def chat_text(notice: Notice) -> str:
    """What a customer reads in the chat; the same for every recipient, so it holds no one's data."""
    if notice.kind == DATA_LEAK:
        return templates.DATA_LEAK_NOTICE.format(
            data_kinds="、".join(DATA_KINDS[k] for k in split_lines(notice.data_kinds)), cause=notice.cause,
            watch_for=notice.qa_watch_for, contact=notice.qa_contact, reference=notice.reference)
    deadline = (templates.PRODUCT_SAFETY_DEADLINE.format(deadline=_deadline_label(notice.contact_deadline))
                if notice.contact_deadline else "")
    return templates.PRODUCT_SAFETY_NOTICE.format(
        title=notice.title, items="\n".join(f"・{i}" for i in split_lines(notice.items)),
        what_happened=notice.what_happened, what_to_do=notice.what_to_do, deadline=deadline,
        reference=notice.reference)


def mail_text(notice: Notice) -> tuple[str, str]:
    if notice.kind == DATA_LEAK:
        return (templates.DATA_LEAK_SUBJECT,
                chat_text(notice) + templates.DATA_LEAK_MAIL_FOOTER.format(reference=notice.reference))
    return (templates.PRODUCT_SAFETY_SUBJECT.format(title=notice.title),
            chat_text(notice).replace("このメッセージにそのままご返信ください。担当者がお答えします。",
                                      "チャット窓口でお知らせ番号をお伝えください。担当者がお答えします。")
            + templates.PRODUCT_SAFETY_MAIL_FOOTER.format(reference=notice.reference))


def product_answer(notice: Notice) -> str:
    return templates.PRODUCT_SAFETY_ANSWER.format(
        title=notice.title, items="・".join(split_lines(notice.items)), what_happened=notice.what_happened,
        what_to_do=notice.what_to_do, reference=notice.reference)


# ---------------------------------------------------------------------------
# Progress, for the console
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class RecipientRow:
    """One customer's progress as agents see it: masked name, never the address or the whole name."""

    recipient_id: int
    customer_label: str
    channel: str
    delivery: str
    attempts: int
    error: str
    replied: bool
    ticket_reference: str | None
    ticket_id: int | None


@dataclass
class Progress:
    total: int = 0
    counts: dict[str, int] = field(default_factory=dict)  # pending | sending | sent | delivered | failed | replied
    rows: list[RecipientRow] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"total": self.total, "counts": self.counts,
                "recipients": [row.__dict__ for row in self.rows]}


def progress(session: Session, notice_id: int) -> Progress:
    rows = session.execute(
        select(NoticeRecipient, Customer.name).join(Customer)
        .where(NoticeRecipient.notice_id == notice_id).order_by(NoticeRecipient.id)
    ).all()
    result = Progress(total=len(rows), counts={k: 0 for k in (*DELIVERY_LABELS, "replied")})
    references = [r.ticket_reference for r, _ in rows if r.ticket_reference]
    ticket_ids = dict(session.execute(select(Ticket.reference, Ticket.id).where(Ticket.reference.in_(references)))
                      .all()) if references else {}
    for recipient, name in rows:
        result.counts[recipient.delivery] = result.counts.get(recipient.delivery, 0) + 1
        if recipient.replied_at is not None:
            result.counts["replied"] += 1
        result.rows.append(RecipientRow(
            recipient.id, f"#{recipient.customer_id} {mask_name(name)} 様", recipient.channel, recipient.delivery,
            recipient.delivery_attempts, recipient.delivery_error or "", recipient.replied_at is not None,
            recipient.ticket_reference, ticket_ids.get(recipient.ticket_reference)))
    return result


# ---------------------------------------------------------------------------
# The customer's side: replies, questions, and anyone asking about a recalled product
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class CustomerAnswer:
    """What the pipeline sends instead of asking Rasa; ``ticket_reference`` when people took over."""

    texts: tuple[str, ...]
    ticket_reference: str | None = None


def _fold(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).lower()


def _recipient_of(session: Session, conversation_id: str, kind: str) -> tuple[NoticeRecipient, Notice] | None:
    """This conversation's recipient row of an active notice of ``kind``: reached here, or verified as them.

    A customer the notice reached by mail who then chats and proves who they
    are is the same recipient; anyone else is not one, whatever they claim.
    """
    verified = identity.verified_customer(session, conversation_id)
    who = NoticeRecipient.conversation_id == conversation_id
    if verified is not None:
        who = or_(who, NoticeRecipient.customer_id == verified.customer_id)
    row = session.execute(
        select(NoticeRecipient, Notice).join(Notice)
        .where(Notice.kind == kind, Notice.status == SENDING, who, NoticeRecipient.delivery.in_(DONE))
        .order_by(NoticeRecipient.replied_at.is_(None).desc(), Notice.sent_at.desc()).limit(1)
    ).first()
    return (row[0], row[1]) if row else None


def _order_of(session: Session, customer_id: int, items: list[str]) -> str | None:
    return session.execute(
        select(Order.order_number).join(OrderItem)
        .where(Order.customer_id == customer_id, OrderItem.name.in_(items)).order_by(Order.ordered_at.desc()).limit(1)
    ).scalar_one_or_none()


def _hand_over(session: Session, *, recipient: NoticeRecipient | None, notice: Notice, conversation_id: str,
               channel: str, text: str, now: datetime, reason: str, severity: str, trouble_type: str,
               order_number: str | None, handoff_settings: dict) -> Ticket:
    trouble = support.open_trouble(session, conversation_id=conversation_id, channel=channel,
                                   issue_type=trouble_type, confidence=None, now=now,
                                   calendar=handoff_settings.get("calendar", DEFAULT_CALENDAR))
    support.complete_trouble(session, trouble.reference, order_number=order_number,
                             detail=f"お知らせ {notice.reference} への返信: {mask_personal_data(text)[:500]}", now=now)
    transcript = [handoff.TranscriptLine("bot", chat_text(notice), recipient.delivered_at or now)] \
        if recipient is not None and recipient.conversation_id == conversation_id else []
    transcript.append(handoff.TranscriptLine("customer", text, now))
    ticket = handoff.open_ticket(session, conversation_id=conversation_id, channel=channel, reason=reason,
                                 severity=severity, evidence=[f"お知らせ {notice.reference}"], transcript=transcript,
                                 now=now, trouble_reference=trouble.reference, **handoff_settings)
    ticket.acknowledged_at = ticket.acknowledged_at or now  # our answer is the acknowledgement
    if recipient is not None:
        recipient.replied_at = recipient.replied_at or now
        recipient.ticket_reference = recipient.ticket_reference or ticket.reference
    _audit(session, actor="bot", action="notice_reply", notice=notice, now=now, detail=f"ticket {ticket.reference}")
    return ticket


NOTICE_REFERENCE = re.compile(r"[RL]\d{8}-\d{4}")


def _referenced_notice(session: Session, text: str) -> Notice | None:
    """An active notice whose number the customer typed (the mail asks them to, to answer in a chat)."""
    found = NOTICE_REFERENCE.search(unicodedata.normalize("NFKC", text or "").upper())
    if found is None:
        return None
    return session.execute(select(Notice).where(Notice.reference == found.group(0), Notice.status == SENDING)
                           ).scalar_one_or_none()


def _answer_reference(session: Session, notice: Notice, *, conversation_id: str, channel: str, text: str,
                      now: datetime, handoff_settings: dict) -> CustomerAnswer:
    """Someone quotes a notice's number: people take it (who they are is theirs to check, not the bot's).

    The notice is told again for a recall; a leak's details wait for a person,
    since the bot cannot know that this writer is one of the affected customers.
    """
    product = notice.kind == PRODUCT_SAFETY
    try:
        ticket = _hand_over(session, recipient=None, notice=notice, conversation_id=conversation_id, channel=channel,
                            text=text, now=now, reason=PRODUCT_SAFETY if product else "human_request",
                            severity="high", trouble_type="product_safety" if product else "privacy_concern",
                            order_number=None, handoff_settings=handoff_settings)
    except handoff.TicketLimitReached:
        return CustomerAnswer((product_answer(notice),) if product else (templates.TICKET_LIMIT_REACHED,))
    answer = (templates.NOTICE_REPLY_TAKEN if product else templates.DATA_LEAK_ESCALATED).format(
        ticket=ticket.reference)
    handoff.record_bot_reply(session, conversation_id, answer, now)
    return CustomerAnswer(((product_answer(notice), answer) if product else (answer,)), ticket.reference)


def _leak_topics(text: str) -> list[str]:
    folded = _fold(text)
    return [topic for topic, words in LEAK_TOPICS if any(_fold(w) in folded for w in words)]


def answer_customer(session: Session, *, conversation_id: str, channel: str, text: str, now: datetime,
                    handoff_settings: dict | None = None) -> CustomerAnswer | None:
    """The notices' part of a customer turn; None lets the message go on to the bot.

    In this order: a customer a product-safety notice reached replies → a
    ``product_safety`` trouble and a ticket; a customer a leak notice reached
    asks → the approved answer for the topic, or people (``human_request``);
    anyone quotes an active notice's number (the mail asks them to) → people;
    anyone mentions a product of an active notice → the notice, "stop using
    it" first. The per-client ticket limit in ``handoff_settings`` applies to
    strangers quoting a number, not to the customers the shop wrote to.
    """
    handoff_settings = handoff_settings or {}
    written_to = {k: v for k, v in handoff_settings.items() if k != "tickets_per_client"}
    reached = _recipient_of(session, conversation_id, PRODUCT_SAFETY)
    if reached is not None and reached[0].replied_at is None:
        recipient, notice = reached
        ticket = _hand_over(session, recipient=recipient, notice=notice, conversation_id=conversation_id,
                            channel=channel, text=text, now=now, reason=PRODUCT_SAFETY, severity="high",
                            trouble_type="product_safety", handoff_settings=written_to,
                            order_number=_order_of(session, recipient.customer_id, split_lines(notice.items)))
        answer = templates.NOTICE_REPLY_TAKEN.format(ticket=ticket.reference)
        handoff.record_bot_reply(session, conversation_id, answer, now)
        return CustomerAnswer((answer,), ticket.reference)
    leak = _recipient_of(session, conversation_id, DATA_LEAK)
    if leak is not None:
        recipient, notice = leak
        recipient.replied_at = recipient.replied_at or now
        topics = _leak_topics(text)
        if topics:
            kinds = "、".join(DATA_KINDS[k] for k in split_lines(notice.data_kinds))
            answers = {"what": templates.DATA_LEAK_ANSWER_WHAT.format(data_kinds=kinds),
                       "watch": templates.DATA_LEAK_ANSWER_WATCH.format(watch_for=notice.qa_watch_for),
                       "contact": templates.DATA_LEAK_ANSWER_CONTACT.format(contact=notice.qa_contact)}
            _audit(session, actor="bot", action="incident_answer", notice=notice, now=now, detail=",".join(topics))
            return CustomerAnswer(tuple(answers[t] for t in topics))
        ticket = _hand_over(session, recipient=recipient, notice=notice, conversation_id=conversation_id,
                            channel=channel, text=text, now=now, reason="human_request", severity="high",
                            trouble_type="privacy_concern", order_number=None, handoff_settings=written_to)
        answer = templates.DATA_LEAK_ESCALATED.format(ticket=ticket.reference)
        handoff.record_bot_reply(session, conversation_id, answer, now)
        return CustomerAnswer((answer,), ticket.reference)
    referenced = _referenced_notice(session, text)
    if referenced is not None:
        return _answer_reference(session, referenced, conversation_id=conversation_id, channel=channel, text=text,
                                 now=now, handoff_settings=handoff_settings)
    folded = _fold(text)
    for notice in session.execute(select(Notice).where(Notice.kind == PRODUCT_SAFETY, Notice.status == SENDING)
                                  .order_by(Notice.sent_at.desc())).scalars():
        names = [*split_lines(notice.items), *split_lines(notice.keywords)]
        if any(_fold(name) and _fold(name) in folded for name in names):
            _audit(session, actor="bot", action="notice_answer", notice=notice, now=now)
            return CustomerAnswer((product_answer(notice),))
    return None
