"""Customer-facing Japanese text that is not a chat response (those live in domain.yml)."""

from __future__ import annotations

STEP_UP_SUBJECT = "【まどぐち雑貨店】ご本人確認コードのお知らせ"

STEP_UP_BODY = """\
まどぐち雑貨店をご利用いただきありがとうございます。

チャットでのご本人確認のため、確認コードをお送りします。

　確認コード：{code}

有効期限は{minutes}分です。チャット画面にこの6桁の数字を入力してください。
コードは一度だけ使えます。

※このコードを他の人に教えないでください。当店のスタッフがお電話やメールで
　コードをお尋ねすることはありません。
※お心当たりのない場合は、このメールを破棄してください。第三者がお客様の
　注文番号でお問い合わせを試みた可能性があります。ご不安な点は当店までご連絡ください。

まどぐち雑貨店 カスタマーサポート
（このメールは送信専用です。ご返信いただいてもお答えできません。）
"""


def step_up_mail(code: str, minutes: int) -> tuple[str, str]:
    """Subject and body of the mail that carries a one-time step-up code."""
    return STEP_UP_SUBJECT, STEP_UP_BODY.format(code=code, minutes=minutes)


# Sent instead of a reply that the outbound guard blocked (bot.outbound).
REPLY_BLOCKED_BY_PRIVACY_GUARD = (
    "申し訳ございません。このご返信はお送りできませんでした。担当者が内容を確認し、あらためてご連絡します。"
)
# Sent instead of a reply with the customer's own personal data while only the order is proven (bot.outbound).
REPLY_NEEDS_STEP_UP = (
    "申し訳ございません。お名前・ご住所・ご連絡先などのご登録内容は、ご登録のメールアドレスにお送りする"
    "確認コードでご本人確認ができてからご案内します。"
)

# Errors of the REST channel, returned as {"error": ...}.
ERROR_BAD_JSON = "リクエストの形式が正しくありません。JSON形式で送信してください。"
ERROR_MISSING_SENDER = "送信者（sender）が指定されていないか、長すぎます。"
ERROR_EMPTY_MESSAGE = "メッセージ（message）が空です。お問い合わせ内容を入力してください。"
ERROR_BAD_MESSAGE_ID = "メッセージID（message_id）は64文字以内の半角英数字と - _ . : で指定してください。"
ERROR_MESSAGE_TOO_LONG = "メッセージが長すぎます（{limit}文字まで）。分けてお送りください。"
# The bot took the message (it is in the conversation's record) but had nothing to say: a part of it is down.
ERROR_BOT_SILENT = (
    "申し訳ございません。ただいまシステムの一部が応答しておらず、お答えできませんでした。"
    "メッセージは記録しました。しばらくしてからもう一度お送りください。"
)
ERROR_INTERNAL = "申し訳ございません。ただいま応答できませんでした。しばらくしてからもう一度お送りください。"


# LINE channel (bot.channels.line). Errors are returned to LINE's servers as {"error": ...};
# the other texts are sent to the customer in the LINE chat.
LINE_ERROR_NOT_CONFIGURED = "LINE連携は設定されていません。"
LINE_ERROR_BAD_SIGNATURE = "署名を確認できませんでした。"
LINE_ERROR_BODY_TOO_LARGE = "リクエストが大きすぎます。"
LINE_ERROR_METHOD_NOT_ALLOWED = "このURLはPOSTのみ受け付けます。"
LINE_UNSUPPORTED_MESSAGE_REPLY = (
    "お送りいただきありがとうございます。申し訳ございませんが、スタンプ・画像・動画・音声・位置情報・ファイルは"
    "こちらのチャットでは確認できません。お困りのことを文字でお送りください（例：「注文した商品が届かない」）。"
)
LINE_FOLLOW_GREETING = (
    "友だち追加ありがとうございます。まどぐち雑貨店のサポート窓口です。ご注文やお届けでお困りのことがあれば、"
    "このトークに一文でお送りください（例：「注文した商品が届かない」「返品したい」）。"
)


# Telegram channel (bot.channels.telegram). Errors are returned to Telegram's servers as {"error": ...};
# the other texts are sent to the customer in the Telegram chat.
TELEGRAM_ERROR_NOT_CONFIGURED = "Telegram連携は設定されていません。"
TELEGRAM_ERROR_FORBIDDEN = "シークレットトークンを確認できませんでした。"
TELEGRAM_ERROR_BODY_TOO_LARGE = "リクエストが大きすぎます。"
TELEGRAM_ERROR_BAD_UPDATE = "Telegramの更新データとして読み取れませんでした。"
TELEGRAM_ERROR_METHOD_NOT_ALLOWED = "このURLはPOSTのみ受け付けます。"
TELEGRAM_UNSUPPORTED_MESSAGE_REPLY = (
    "お送りいただきありがとうございます。申し訳ございませんが、スタンプ・画像・動画・音声・位置情報・ファイルは"
    "こちらのチャットでは確認できません。お困りのことを文字でお送りください（例：「注文した商品が届かない」）。"
)
TELEGRAM_START_GREETING = (
    "まどぐち雑貨店のサポート窓口です。ご注文やお届けでお困りのことがあれば、"
    "このチャットに一文でお送りください（例：「注文した商品が届かない」「返品したい」）。"
)


# The one acknowledgement a customer gets when writing to a conversation that
# people have taken over (bot.handoff): after it, the bot stays silent.
HANDOFF_ACK = "メッセージを担当者に伝えました。担当者からの返信をこのままお待ちください。"
# The same outside business hours (nights, weekends, public holidays, the shop's closures), with when people are back.
HANDOFF_ACK_OUT_OF_HOURS = (
    "メッセージを担当者に伝えました。ただいま営業時間外のため、担当者は{opens}から対応いたします。"
    "{reply_due}までに担当者からご連絡しますので、このままお待ちください。"
)

# The web widget: a message that came without the session the page was given.
WEB_ERROR_NO_SESSION = "接続を確認できませんでした。ページを再読み込みしてから、もう一度お送りください。"


# The satisfaction question after an agent resolved a ticket (bot.satisfaction), sent once through the
# customer's channel, and the thanks for an answer. Answering is optional: anything else goes to the bot.
SATISFACTION_QUESTION = (
    "このたびはお問い合わせいただきありがとうございました。担当者の対応はいかがでしたか。"
    "1（不満）〜5（満足）の数字でお答えください。ひとことコメントを添えることもできます（例：「5 丁寧でした」）。"
    "ご回答は任意です。ほかのご用件があれば、そのままお送りください。"
)
SATISFACTION_THANKS = "ご回答ありがとうございます。いただいた評価は今後の対応の改善に役立てます。"

# Verification (actions.identity). Said after every verification failure, whatever its cause,
# so the words stay the same for a wrong number, wrong digits, a locked order or one past its budget.
VERIFICATION_MAIL_OFFER = (
    "お電話番号で確認できない場合は、電話番号の下4桁の代わりに「メール」とお送りください。"
    "ご注文時のメールアドレスに確認コードをお送りします。"
)
# The customer asked for the code by mail instead of the digits: the same words whether or not
# the order exists (the code goes only to the address on file).
CODE_MAIL_REQUESTED = (
    "ご注文番号がご登録のとおりであれば、ご注文時のメールアドレスに確認コードをお送りします。"
    "数分たってもメールが届かない場合は、ご注文番号をご確認のうえ最初からお試しいただくか、「担当者」とお送りください。"
)
# A verified customer asked for more codes than one order gets per hour (bot.identity.CODES_PER_ORDER).
CODE_LIMIT_REACHED = (
    "確認コードの送信は1つのご注文につき1時間に{limit}回までのため、新しいコードはお送りしていません。"
    "先にお送りしたコードが有効期限内であればそのコードを入力してください。届いていない場合は「担当者」とお送りください。"
)

# Every channel (bot.channels.turn): a client writing faster than a person can.
ERROR_TOO_MANY_MESSAGES = "短い時間に多くのメッセージが届いたため、受け付けを一時停止しています。1分ほどおいてから、もう一度お送りください。"

# A client that already has several open enquiries: no further ticket (bot.handoff.TicketLimitReached).
TICKET_LIMIT_REACHED = (
    "お問い合わせありがとうございます。先にいただいたお問い合わせを担当者が順に確認しております。"
    "恐れ入りますが、担当者からのご連絡をお待ちください。"
)

# REST channel: a request without the shop's token (MADOGUCHI_REST_TOKEN).
ERROR_UNAUTHORIZED = "認証が必要です（Authorization: Bearer トークン）。"

# What a ticket's transcript shows for a message that is not text, in a handed-off conversation.
NON_TEXT_PLACEHOLDERS = {
    "sticker": "（スタンプ）",
    "image": "（画像）",
    "video": "（動画）",
    "audio": "（音声）",
    "file": "（ファイル）",
    "location": "（位置情報）",
    "other": "（テキスト以外のメッセージ）",
}

# The web widget: a conversation left idle too long (a shared PC) ends; the page starts a new one.
WEB_SESSION_EXPIRED = "しばらく操作がなかったため、前回の会話を終了しました。新しい会話を始めます。"


# Product-safety notices and data-leak incidents (bot.notices). Sent on the customer's own
# channel (LINE, Telegram) or by mail; the bot repeats the notice to anyone who asks about the product.
PRODUCT_SAFETY_SUBJECT = "【重要】{title}（まどぐち雑貨店）"
PRODUCT_SAFETY_NOTICE = """\
【重要】{title}

まどぐち雑貨店をご利用いただきありがとうございます。
以下の商品をお持ちの方は、まずただちにご使用をおやめください。

■対象の商品
{items}

■何が起きたか
{what_happened}

■お客様にお願いしたいこと
{what_to_do}
{deadline}
ご不明な点は、このメッセージにそのままご返信ください。担当者がお答えします。
ご迷惑とご心配をおかけし、誠に申し訳ございません。

まどぐち雑貨店 カスタマーサポート（お知らせ番号：{reference}）
"""
PRODUCT_SAFETY_DEADLINE = "\n■ご連絡のお願い\n{deadline}までに当店へご連絡ください。\n"
PRODUCT_SAFETY_MAIL_FOOTER = """
（このメールは送信専用です。ご返信はチャット窓口でお知らせ番号「{reference}」をお伝えください。）
"""
# A customer who asks about a recalled product, whoever they are, hears this first.
PRODUCT_SAFETY_ANSWER = """\
【重要なお知らせ】{title}
{items}をお持ちの場合は、まずただちにご使用をおやめください。

{what_happened}

{what_to_do}
ご購入のお客様で返品・返金のご相談は、このまま「担当者と話したい」とお送りください。（お知らせ番号：{reference}）"""
# The first reply of a customer the notice reached: a person takes over.
NOTICE_REPLY_TAKEN = (
    "ご返信ありがとうございます。担当者におつなぎしました（受付番号：{ticket}）。"
    "担当者からご連絡するまで、対象の商品はご使用にならないでください。"
)

DATA_LEAK_SUBJECT = "【重要】お客様の個人情報に関するお詫びとお知らせ（まどぐち雑貨店）"
DATA_LEAK_NOTICE = """\
【重要】お客様の個人情報に関するお詫びとお知らせ

まどぐち雑貨店をご利用いただきありがとうございます。
このたび、当店がお預かりしているお客様の個人情報が外部に漏えいした、またはそのおそれがあることが
判明しました。多大なご迷惑とご心配をおかけしますことを、心よりお詫び申し上げます。

■お客様について漏えいした可能性のある情報
{data_kinds}

■経緯
{cause}

■お気をつけいただきたいこと
{watch_for}

■お問い合わせ
{contact}

このメッセージにご返信いただければ、ご質問にお答えします。
（お知らせ番号：{reference}）
"""
DATA_LEAK_MAIL_FOOTER = """
（このメールは送信専用です。お問い合わせは上記の窓口、またはチャットでお知らせ番号「{reference}」をお伝えください。）
"""
DATA_LEAK_DEFAULT_WATCH_FOR = (
    "当店を名乗るメール・SMS・電話で、パスワードやカード番号、確認コードを尋ねることはありません。"
    "不審なメールのリンクは開かないでください（フィッシング詐欺にご注意ください）。"
    "クレジットカードの利用明細に身に覚えのない請求がないか、しばらくの間ご確認ください。"
)
DATA_LEAK_DEFAULT_CONTACT = (
    "個人情報に関するお問い合わせ専用窓口：チャットでこのメッセージにご返信ください"
    "（平日9時〜18時は担当者がお答えします）。"
)
# The approved answers the bot gives to an affected customer, by topic (bot.notices.LEAK_TOPICS).
DATA_LEAK_ANSWER_WHAT = (
    "お客様について漏えいした可能性のある情報は、{data_kinds}です。"
    "情報の中身をチャットでお伝えすることはできません。重ねてお詫び申し上げます。"
)
DATA_LEAK_ANSWER_WATCH = "お気をつけいただきたいこと：{watch_for}"
DATA_LEAK_ANSWER_CONTACT = "お問い合わせ：{contact}"
DATA_LEAK_ESCALATED = (
    "ご質問ありがとうございます。このご質問には担当者がお答えします（受付番号：{ticket}）。"
    "返信まで少々お待ちください。"
)


# The FAQ, when the bot is unsure which entry a question asks (actions.faq): the entries it ranks first
# follow as buttons, each labelled with that entry's question, then 「担当者と話す」.
FAQ_SUGGESTIONS = (
    "申し訳ございません。ご質問の内容を確かに読み取れませんでした。もしかして、次のご質問でしょうか。"
    "当てはまるものを押してください。どれにも当てはまらない場合は、別の言い方でお送りいただくか"
    "「担当者と話す」を押してください。"
)
FAQ_TALK_TO_PERSON = {"title": "担当者と話す", "payload": "担当者と話したい"}
