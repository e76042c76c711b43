"""Escalation detection: must a person take this message, and why.

Four reasons send a message to a person (plus ``none``):

* ``excessive_demand``  compensation or treatment far out of proportion to the
  trouble: 慰謝料, 迷惑料, 10万円の商品券 for a late parcel, 土下座, a written
  apology from the president, a visit to the customer's home, firing a named
  employee, threats to post on SNS / review sites / the media unless demands
  are met.
* ``abusive``           insults, threats of violence, harassment of staff,
  without a specific demand. Threats of violence are ``urgent``.
* ``fraud_scheme``      the SNS-promotion money scheme in every form (指定の通販
  サイトで買ってSNSで宣伝すれば代金と報酬を払う, 副業, モニター, アンバサダー, 報酬が
  振り込まれない, bulk orders "for promotion"), fake influencers asking for free
  goods or selling followers, and customers who suspect the scheme themselves.
* ``human_request``     the customer asks for a person.

Everything that decides is DATA: ``RULES`` below is a table a reviewer can
read, one row per phrase family, each with its reason, severity and an example
that the tests check row by row. Search this file for a word (土下座, 慰謝料,
アンバサダー, 殺す) to find the rule that reacts to it.

All matching is on ``bot.text.normalise(text)`` (NFKC), so full-width digits,
half-width katakana and full-width romaji need no patterns of their own.
Rows marked ``kana_folded`` are written in hiragana and read ``fold_kana(text)``
(katakana folded to hiragana, span for span), so ﾀﾝﾄｳｼｬ ﾆ ｶﾜｯﾃ, タントウシャ and
たんとうしゃ meet one pattern. Romaji and English get rows of their own.
Evidence is quoted from the normalised text.

Guards applied to every match, so that one rule row does not need its own
exceptions for them:

* negation after the match in the same clause (晒すつもりはない, 慰謝料は要らない,
  土下座しろとは言いません);
* reported speech (SNSで晒すと言っている人がいた, 友達が〜って聞いた): not a
  threat by the writer. Fraud rules ignore this guard on purpose: a customer
  asking about a scheme someone told them about is exactly who the fraud
  desk wants to talk to;
* amount rules (``amount_check``): compensation words (補償, 商品券, …) and
  demand verbs (払え, よこせ) only escalate when the demanded amount is far out
  of proportion — more than ``EXCESSIVE_RATIO`` times the order value when it
  is known, or at least ``UNKNOWN_ORDER_LIMIT`` yen when it is not. A refund
  up to the order value (a 15万円 laptop that arrived broken) never escalates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.text import find_amounts, kanji_or_digits_to_int, normalise

EXCESSIVE_DEMAND = "excessive_demand"
ABUSIVE = "abusive"
FRAUD_SCHEME = "fraud_scheme"
HUMAN_REQUEST = "human_request"
NONE = "none"

REASONS = (EXCESSIVE_DEMAND, ABUSIVE, FRAUD_SCHEME, HUMAN_REQUEST)
SEVERITIES = ("normal", "high", "urgent")

# A demanded amount is out of proportion when it exceeds this many times the order value…
EXCESSIVE_RATIO = 2
# …or, when the order value is unknown, when it is at least this much (yen).
UNKNOWN_ORDER_LIMIT = 30_000
# Fraud losses from this amount (sum of amounts the message mentions) are urgent.
URGENT_FRAUD_LOSS = 100_000

HUMAN_INTENT = "request_human"

# Amount checks. COMPENSATION: an amount beyond EXCESSIVE_RATIO × the order value,
# or ≥ UNKNOWN_ORDER_LIMIT when the order value is unknown. REFUND: only beyond
# EXCESSIVE_RATIO × the order value, and only when the order value is known
# (given, or a price the customer mentions): "15万円返して" alone is a refund.
COMPENSATION = "compensation"
REFUND = "refund"


@dataclass(frozen=True)
class Escalation:
    """Whether a person must take the message, why, how fast, and the words that said so."""

    escalate: bool
    reason: str
    severity: str
    evidence: tuple[str, ...]


NO_ESCALATION = Escalation(False, NONE, "normal", ())


@dataclass(frozen=True)
class Rule:
    """One phrase family that escalates.

    ``pattern`` is a regular expression on the normalised text (case-insensitive).
    ``requires``, when set, must also match somewhere in the same message (for
    words that only mean the scheme or a demand in company: 副業 + 報酬).
    ``amount_check`` rows only fire when a demanded amount in the same sentence
    is out of proportion (see the module docstring).
    ``example`` must be detected with this reason; the tests check every row.
    """

    name: str
    reason: str
    severity: str
    pattern: str
    example: str
    requires: str | None = None
    requires_in_sentence: bool = False  # ``requires`` must match in the same sentence
    amount_check: str = ""  # "" | COMPENSATION | REFUND
    example_order_total: int | None = None
    guarded: bool = True  # negation / reported-speech guards apply
    kana_folded: bool = False  # pattern is hiragana, matched on fold_kana(text): カワッテ = かわって

    def __post_init__(self) -> None:
        assert self.reason in REASONS, self.reason
        assert self.severity in SEVERITIES, self.severity
        assert self.amount_check in ("", COMPENSATION, REFUND), self.amount_check


# Words shared by several rows.
_SOCIAL = (r"(?:SNS|エスエヌエス|インスタ|(?<![A-Za-z])(?:Instagram|insta|TikTok|X|Twitter|Facebook|YouTube|LINE)(?![A-Za-z])|"
           r"ティックトック|エックス|ツイッター|フェイスブック|ユーチューブ|ようつべ|ブログ|ライン|ネット)")
_SNS = (rf"(?:{_SOCIAL}|ツイート|掲示板|2ch|5ch|2ちゃん|5ちゃん|口コミ|クチコミ|レビュー|食べログ|(?<![A-Za-z])Google(?![A-Za-z])|"
        r"グーグル|マスコミ|メディア|テレビ|新聞|週刊誌|雑誌|文春|ニュース|ネット上)")
_PROMOTE = r"(?:宣伝|紹介|投稿|拡散|PR|プロモーション|レビュー|口コミ|クチコミ|シェア|ポストし|ツイート|いいね|載せ(?:る|て)|アップ)"
# Money that only the scheme promises for posting (not an ordinary refund).
_PAYMENT = (r"(?:報酬|謝礼|代金(?:を|も|は|と)?(?:全額|返|払|振|後で|あとで)|代金と|お金(?:が|を)?(?:もらえ|貰え|入|稼)|"
            r"キャッシュバック|紹介料|稼げ|稼ぐ|収入|日給|時給|高収入|手数料|立て替え|立替)")
_SCHEME_CONTEXT = (r"(?:報酬|houshu|hoshu|謝礼|稼げ|稼ぐ|収入|日給|案件|タスク|手数料|立て替え|立替|宣伝|紹介料|キャッシュバック|"
                   r"誘われ|勧誘|紹介され|頼まれ|指定の|指示され|指示で|言われて(?:購入|注文|買)|言われた(?:とおり|通り)|LINEで|DMで|SNSで|"
                   r"保証金|違約金|登録料|何十万|何万円も|高額(?:な)?注文|止めたい|やめさせたい)")
# Conditions that turn a threat to post into a demand: "…しないなら晒す".
_CONDITION = (r"(?:ないなら|ないんなら|ないのなら|なければ|なきゃ|なかったら|ないと|ない場合|ない限り|次第|"
              r"されたくなければ|されたくなかったら|嫌なら|いやなら|困るなら|困るでしょ|しだい|応じない|"
              r"しないうちは|するまで|くれるまで|もらうまで|くれたら(?:やめ|消)|払えば(?:消|やめ)|ば(?:消|削除|取り下げ))")
# Demand forms for multiples of the price ("倍返し").
_DEMAND_FORMS = (r"(?:返せ|返して|返金(?:しろ|して)|払え|払って(?:ください|下さい|ほしい|欲しい|もらう|もらい|くれ)|"
                 r"弁償|補償|よこせ|寄越せ)")

RULES: tuple[Rule, ...] = (
    # ------------------------------------------------------------------
    # Threats of violence: abusive, urgent (highest priority of all).
    # ------------------------------------------------------------------
    Rule("kill", ABUSIVE, "urgent",
         r"(?:ぶっ|ぶち)?殺(?:す|して(?:やる|やろ)|しに(?:行|い)く|したる|すぞ)(?!気)|ぶっころ|ころす(?!気)|"
         r"コロス|korosu|ぶっ殺|殺したい|殺されたい|殺害|死んでもらう|首を絞め|ぶっ刺|車で突っ込|"
         r"(?:店|会社|倉庫|事務所)(?:を|ごと)?(?:ぶっ)?壊し(?:てやる|に(?:行|い)く)|殺意(?:が|が湧|を)|死なす|しばく(?:ぞ|からな)|しばいたる|しばいたろ|ボコす|ボコして",
         "ふざけんな、担当者殺すぞ"),
    Rule("arson", ABUSIVE, "urgent",
         r"燃やし(?:てやる|てやろ|に(?:行|い)く|たる|たろ)|(?:灯油|ガソリン)(?:を)?(?:持って|もって|かぶ|撒)|燃やすぞ|燃やすから|店(?:ごと)?燃やす|会社(?:ごと)?燃やす|"
         r"倉庫(?:ごと)?燃やす|火(?:を)?(?:つけ|付け|放)(?:てやる|に|るぞ|る|たろ|たる)|放火|ガソリン(?:撒|ま)|灯油(?:撒|ま)|火炎瓶",
         "こんな店燃やしてやる"),
    Rule("stab", ABUSIVE, "urgent",
         r"刺(?:すぞ|してやる|しに(?:行|い)く|したる)|包丁(?:持って|もって)|ナイフ(?:持って|もって)|刃物(?:持って|もって)",
         "次に会ったら刺してやる"),
    Rule("bomb", ABUSIVE, "urgent",
         r"爆破|爆弾(?:を|仕掛|しかけ|送)|爆発させ",
         "倉庫を爆破する"),
    Rule("assault", ABUSIVE, "urgent",
         r"(?:ぶん|ぶっ)?殴(?:る(?!い)|りに|ってやる|り込み|りこみ|ったる)|ぶん殴|ぶっ飛ばす|ぶっとばす|"
         r"ボコボコに(?:する|して)|ボコ(?:る|りに)|しばき(?:に|倒)|襲(?:う(?!わ)|撃|いに)|"
         r"殴り込|カチコミ",
         "配達員見つけたらぶん殴る"),
    Rule("violence_dialect_and_slang", ABUSIVE, "urgent",
         r"いてまう|いてこま|どつ(?:く|いたる|いたろ|きまわ|き回)|くらす(?:ぞ|けん)|しばき回|"
         r"(?:海|湾|川)に沈め|沈め(?:たる|たろ|てやる)|(?:山|土)に埋め|埋め(?:たる|たろ|てやる|るぞ)|タマ(?:取|とっ|とる)|"
         r"(?:殺|ころ)(?:ったる|ったろ)|シメ(?:たる|たろ|てやる|るぞ)|しめ(?:たる|たろ)(?:か)?|ヤキ(?:を)?入れ|焼きを入れ",
         "今度そっちの倉庫行っていてまうぞ"),
    Rule("violence_in_english", ABUSIVE, "urgent",
         r"\bI(?:'ll|\s+will|'m going to|'m gonna|\s+am going to|\s+gonna)\s+(?:kill|hurt|stab|shoot|burn|beat|find)\b|"
         r"\bkill (?:you|u|your)\b|\bburn (?:down )?your\b|\bbomb your\b|\bwatch your back\b|\bknow where you (?:live|work)\b",
         "I know where you work. Watch your back."),
    Rule("implied_violence", ABUSIVE, "urgent",
         r"夜道(?:に|は|には)気を(?:つけ|付け)|痛い目(?:を|に)?(?:見|み|あ|遭)(?:ない|せ|わせ|る)|命(?:は|が)(?:ない|惜しく)|家族がどうなっても|どうなっても知らない(?:ぞ|からな)|"
         r"無事で(?:済|す)むと思うな|無事(?:じゃ|では)(?:済|す)まない|痛い目(?:に|を)(?:あわせ|合わせ|見せ|みせ)|"
         r"命の保証|血を見る|生きて(?:帰|かえ)れると思うな",
         "夜道に気をつけろよ"),
    # ------------------------------------------------------------------
    # Fraud: the SNS-promotion money scheme and fake influencers.
    # Severity "high"; raised to "urgent" when the losses reach URGENT_FRAUD_LOSS.
    # ------------------------------------------------------------------
    Rule("designated_site", FRAUD_SCHEME, "high",
         r"指定(?:の|された|する)?(?:通販)?(?:サイト|ショップ|店|URL|ページ|商品)(?:で|から|を)?",
         "指定の通販サイトで商品を買ってSNSで宣伝すれば、代金と報酬を払うと言われました",
         requires=r"(?:報酬|宣伝|代金|返金|SNS|稼|副業|紹介|謝礼|キャッシュバック|購入|買)", guarded=False),
    Rule("promote_for_pay", FRAUD_SCHEME, "high",
         rf"{_SOCIAL}(?:で|に|へ)?(?:\S{{0,6}}?){_PROMOTE}(?:\S{{0,20}}?){_PAYMENT}|"
         rf"{_PROMOTE}(?:する|した|して|すれば|したら|するだけで)\S{{0,12}}?(?:報酬|謝礼|代金|キャッシュバック|稼げ|お金)|"
         rf"{_PROMOTE}(?:を書けば|を書いたら|すれば|したら|するだけで)\S{{0,6}}?全額(?:返金|キャッシュバック|戻)",
         "インスタで紹介するだけで代金も報酬も振り込まれるって話でした", guarded=False),
    Rule("side_job", FRAUD_SCHEME, "high",
         r"副業|ふくぎょう|fukugyou|fukugyo|在宅(?:ワーク|ワ-ク|の仕事)|スキマ時間で|すきま時間で|簡単(?:な)?(?:お仕事|作業)|"
         r"タスク(?:を|の)?(?:全部)?(?:こなす|こなせ|こなし|案件|報酬|をこな|完了|終わ)|(?:お)?小遣い稼ぎ|おこづかい稼ぎ|稼げる(?:仕事|案件|副業|バイト)|"
         r"(?:楽|らく|簡単|かんたん)に稼げ|スマホ(?:1台|一台|だけ)で稼",
         "副業で御社の商品を買って宣伝すれば報酬がもらえると聞いたのですが",
         requires=_SCHEME_CONTEXT, guarded=False),
    Rule("monitor_job", FRAUD_SCHEME, "high",
         r"(?:商品|購入|体験|レビュー|SNS)モニター|モニター(?:案件|募集|の(?:お)?仕事|バイト|報酬|登録|会員|応募|"
         r"に(?:応募|選ばれ|当選|登録|なれ|なって|なり)|として(?:購入|買|参加|登録|選ばれ|採用|商品を)|"
         r"価格で買えば|特典|契約)",
         "モニターに選ばれたので商品を購入しましたが、報酬がまだです", guarded=False),
    Rule("ambassador", FRAUD_SCHEME, "high",
         r"アンバサダー|ambassador",
         "御社のアンバサダーに選ばれたとDMが来ました。本当ですか？",
         requires=r"(?:選ばれ|選出|任命|DM|募集|報酬|案件|なりませんか|になって|になれ|登録|招待|スカウト|本当|詐欺|購入|買って|稼|契約)",
         guarded=False),
    Rule("unpaid_reward", FRAUD_SCHEME, "high",
         r"(?:報酬|謝礼|紹介料|キャッシュバック|成果報酬|日給|給料|バイト代)(?:が|は|も|を)?\S{0,6}?"
         r"(?:(?:振り?込ま|入金さ|支払わ|払わ)れ(?:ない|ません|てない|ていない|ていません|てません|ず|なく)|"
         r"(?:入ら|もらえ|貰え|届か|来)(?:ない|ません|てない|ず|なく)|入って(?:い)?(?:ない|ません)|未払い|"
         r"(?:振込|フリコミ|ふりこみ)(?:が|は)?(?:ない|ありません|されない))|"
         r"(?:houshu|hoshu)u? ga (?:furikomare|haira|moraena)",
         "報酬が振り込まれないんですけど、どうなってるんですか", guarded=False),
    Rule("lost_contact_with_agent", FRAUD_SCHEME, "high",
         r"(?<!配送)(?<!運送)(?<!宅配)(?<!配達)(?<!修理)(?<!回収)(?<!引越)(?<!運輸)(?<!物流)(?<!設置)(?<!工事)"
         r"(?<!清掃)(?<!委託)(?<!下請)(?<!引っ越し)(?<!リサイクル)(?<!買取)(?<!不用品)"
         r"(?:業者|仲介|紹介者|紹介してくれた人|案件の担当|LINEの(?:担当|相手|アカウント)|リーダー|主催者|運営者|コーチ|先生)"
         r"(?:さん)?(?:と|に|から|の)?\S{0,4}?(?:連絡が(?:取れ|とれ|つか|付か|来)(?:ない|ません|なく)|(?:LINE)?アカウント(?:が|ごと)?消え|"
         r"音信不通|既読(?:に)?なら|ブロックされ|返信が(?:ない|なく|来な))",
         "宣伝の仕事を紹介した業者と連絡が取れなくなりました", guarded=False),
    Rule("lost_contact_in_scheme", FRAUD_SCHEME, "high",
         r"連絡が(?:取れ|とれ|つか|付か)(?:ない|ません|なく)|音信不通|ブロックされ|LINE(?:が|の)?(?:消え|アカウントが消)|"
         r"アカウント(?:が|ごと)?消え|既読(?:に)?(?:なら|つかな)",
         "副業の案件で買ったのに、相手と連絡が取れなくなりました",
         requires=r"(?:報酬|副業|案件|宣伝|モニター|アンバサダー|タスク|紹介料|立て替え|立替|稼げ)", guarded=False),
    Rule("bulk_order_for_promotion", FRAUD_SCHEME, "high",
         r"(?:宣伝|PR|プロモーション|販促|拡散|レビュー)(?:用|のため|する為|するため|目的)(?:に|で)?\S{0,12}?"
         r"(?:まとめ|大量|[0-9]+\s*(?:個|点|台|セット|着|本)|同じ商品)|"
         r"(?:まとめ|大量|[0-9]+\s*(?:個|点|台|セット|着|本)|同じ商品)\S{0,12}?(?:宣伝|PR|プロモーション|販促|拡散)(?:用|のため|目的)",
         "宣伝用に同じ商品を20個注文するよう指示されました",
         requires=r"(?:指示|言われ|頼まれ|依頼され|報酬|案件|副業|代金(?:は|を)?(?:後で|あとで|返)|立て替え|立替|DM|担当)",
         guarded=False),
    Rule("influencer_freebie", FRAUD_SCHEME, "high",
         r"(?:インフルエンサー|インフルエンサ|フォロワー|ﾌｫﾛﾜｰ|follower|YouTuber|ユーチューバー|TikToker|ティックトッカー|インスタグラマー)"
         r"\S{0,30}?(?:無料で|無償で|タダで|ただで|提供して|提供を|ギフティング|"
         r"紹介してあげ|宣伝してあげ|PRしてあげ|案件|無料提供|商品提供|コラボ|タイアップ|割引して|値引きして|半額に)",
         "フォロワー10万人のインフルエンサーです。商品を無料で提供していただければ紹介してあげます", guarded=False),
    Rule("follower_selling", FRAUD_SCHEME, "high",
         r"フォロワー(?:を|数を|数)?\S{0,6}?(?:販売|売り|売ります|買いませんか|買えます|購入|増やし(?:ます|ません|ませんか)|増やせ|水増し|"
         r"伸ばし(?:ます|ませんか))|"
         r"(?:フォロワー|いいね|再生数|レビュー)(?:の)?(?:購入|代行|水増し|買い取り)|サクラレビュー|やらせレビュー",
         "御社のアカウントのフォロワーを増やしませんか？1000人5000円です", guarded=False),
    Rule("suspected_scheme", FRAUD_SCHEME, "high",
         r"詐欺|騙され|だまされ|怪しい|あやしい|本当に御社|御社と(?:は)?関係|御社の(?:正式な|公式の)?(?:案件|企画|キャンペーン)|"
         r"(?:御社|貴社|そちら|この店|このショップ)(?:から|の)(?:依頼|委託|正式|公式|関係者|社員を名乗|担当を名乗)|名乗(?:る|って)",
         "SNSで宣伝すると報酬がもらえるというDMが来たのですが、詐欺でしょうか",
         requires=r"(?:報酬|副業|宣伝|モニター|アンバサダー|案件|紹介料|謝礼|稼げ|DM|インフルエンサー|フォロワー|指定の|購入代行|提携)",
         guarded=False),
    Rule("scheme_vocabulary", FRAUD_SCHEME, "high",
         r"報酬|コミッション|(?<![A-Za-z])commission|出金|保証金|高収入|高額報酬|日給|タスク|案件|ランクアップ|"
         r"代理購入|購入代行|買い物代行|立て替え|立替",
         "LINEのグループの指示で購入するタスクを3件こなしましたが、出金できません",
         requires=r"(?:指示|言われ|誘われ|勧誘|LINE|DM|グループ|副業|在宅|宣伝|スクショ|紹介され|担当者から|先生|アシスタント|(?:もらえる|稼げる|入る)(?:って|と))",
         guarded=False),
    Rule("scheme_in_english", FRAUD_SCHEME, "high",
         r"(?<![A-Za-z])(?:side (?:job|hustle)|tasks?|commissions?|rewards?|recruit\w*|whatsapp|telegram|influencer|free products?|"
         r"collab\w*|sponsor\w*)(?![A-Za-z])",
         "Someone on WhatsApp offered me a side job: buy from your shop, post a review, get a commission",
         requires=r"(?:\bbuy|\bbought|\border|\bpurchas|\bpromot|\breview|\bpost|\bfree\b|\bfeature|\bsend me|\bshout ?out|\bcollab)", guarded=False),
    Rule("scheme_bait", FRAUD_SCHEME, "high",
         r"高額報酬|高収入|儲か(?:る|ります)(?:仕組み|って|と|方法|話)|稼げる(?:って|と)(?:言|聞|教|誘)|誰でも(?:簡単に)?稼げ|(?:楽|らく|簡単|かんたん)に稼|(?:買い物|購入|注文)するだけで\S{0,4}?(?:稼|報酬|お金|お小遣い)|"
         r"報酬(?:が|を)?(?:引き出せ|出金でき|受け取れ)(?:ない|ません)|(?:ノルマ|ランク)(?:を)?(?:達成|上げ)\S{0,12}?報酬|"
         r"(?:仕事|副業|バイト|案件)(?:として|の一環で|の一環として)(?:購入|注文|買)",
         "高額報酬につられて注文してしまいました", guarded=False),
    Rule("influencer_asks_free_goods", FRAUD_SCHEME, "high",
         r"(?:(?:紹介|宣伝|PR|投稿|レビュー|掲載)(?:する|します|して(?:あげる)?|させて(?:もらう|いただく|いただける)|したい|しますから|しますので)?"
         r"(?:代わりに|ので|んで|から)|(?:紹介|宣伝|PR|投稿|掲載)すれば)\S{0,24}?"
         r"(?:無償|無料|タダ|サンプル|商品(?:を)?(?:[0-9]+点)?(?:いただ|ください|下さい|送って|お送り|提供))",
         "フォロワー3万人います。PRさせてもらう代わりに商品いただけますか", guarded=False),
    Rule("prize_scam", FRAUD_SCHEME, "high",
         r"(?:当選|当たった|懸賞)\S{0,24}?(?:送料|手数料|カード番号|口座|暗証|個人情報|払って|払え|振り?込)",
         "当選したので手数料を払えと言われましたが、本当に御社のキャンペーンですか", guarded=False),
    Rule("pay_per_action", FRAUD_SCHEME, "high",
         r"(?:いいね|フォロー|スクショ|タップ|クリック|シェア|リポスト|リツイート)(?:を)?(?:する|送る|押す)?だけで|"
         r"(?:1|一)(?:件|投稿|回|レビュー)(?:につき|あたり|ごとに)\S{0,4}?[0-9]+\s?円|"
         r"(?:買え|購入すれ|注文すれ)ば\S{0,12}?(?:返金|戻って|返って|キャッシュバック|報酬|稼)",
         "いいねするだけで1日5000円稼げるって言われて、まずここで商品を買うよう指示されました", guarded=False),
    Rule("impersonation", FRAUD_SCHEME, "high",
         r"(?:偽|ニセ|にせ)(?:の|物の)?(?:アカウント|公式|担当者?|社員|インフルエンサー|LINE)|なりすまし|成りすまし|"
         r"(?:公式|社員|担当者?|スタッフ)(?:だ)?(?:と|を)名乗|(?:御社|貴社|そちら)の(?:名前|名義|ロゴ)(?:で|を使って)",
         "御社の社員を名乗るアカウントからDMで案件の紹介が来ました", guarded=False),
    Rule("promotion_job", FRAUD_SCHEME, "high",
         r"(?:宣伝|PR|紹介|レビュー|口コミ|投稿)(?:する|の)?(?:お仕事|仕事|バイト|ワーク|副業)|購入代行(?:の)?(?:仕事|副業|バイト)|"
         r"(?:買って|購入して|買い物して|お買い物して)(?:SNSで|インスタで|ネットで)?(?:宣伝|紹介|投稿|PR)|"
         r"(?:簡単|かんたん|主婦でもできる|誰でもできる)(?:な)?ワーク",
         "おばあちゃんが「ネットでお買い物して宣伝するお仕事」を始めたと言っています", guarded=False),
    Rule("recruited_by_stranger", FRAUD_SCHEME, "high",
         r"(?:LINE|DM|インスタ|SNS|知らない人|見知らぬ人|マッチングアプリ|知り合った人)(?:の(?:グループ|オープンチャット))?\S{0,10}?(?:誘われ|勧誘され|紹介され|指示が来|指示され|頼まれ)",
         "LINEで知らない人に誘われて、ここで商品買ったんだけど、これって詐欺？", guarded=False),
    Rule("refund_for_post", FRAUD_SCHEME, "high",
         r"(?:1[0-9]{2}|[2-9][0-9]{2})\s?%\s?(?:の)?(?:返金|還元|キャッシュバック|戻)|"
         r"(?:スクショ|スクリーンショット|感想|レビュー|投稿|宣伝|口コミ|写真)(?:を)?\S{0,4}?(?:送れば|送ったら|送ると|投稿すれば|投稿すると|書けば|書くと|書いたら|上げれば|載せれば|載せると|すれば|すると)"
         r"\S{0,12}?(?:返金|報酬|キャッシュバック|全額|稼|儲|(?:代金|お金)\S{0,4}?(?:戻|返|振))",
         "購入して感想を投稿すれば購入額の120％返金って聞いたんですけど", guarded=False),
    Rule("upfront_fee", FRAUD_SCHEME, "high",
         r"保証金|登録料|違約金|前払い金|手数料(?:を)?(?:払|振り?込|先に)",
         "報酬振込の前に「保証金」を払えと言われました",
         requires=r"(?:報酬|副業|案件|タスク|宣伝|在宅|指示|業者|サイトの)", guarded=False),
    Rule("fake_review_selling", FRAUD_SCHEME, "high",
         r"(?:レビュー|口コミ|クチコミ|★5|星5)(?:を)?\S{0,6}?(?:[0-9]+件|代行|増やします|増やせます|格安で)|"
         r"(?:口コミ|クチコミ|レビュー|SNS運用|運用)代行|ステマ|ステルスマーケティング|やらせ投稿|サクラ(?:レビュー|投稿|として|を募集|のバイト)",
         "★5レビューを100件、格安で書きます", guarded=False),
    Rule("free_goods_for_post", FRAUD_SCHEME, "high",
         r"(?:紹介|宣伝|PR|投稿)(?:する|させていただく)?(?:代わりに|ので|んで)\S{0,24}?(?:無償|無料|タダ)|"
         r"再生(?:確約|保証)\S{0,12}?(?:無料|無償|タダ)",
         "御社商品を弊社アカウントで紹介する代わりに、商品を10点無償でお送りください", guarded=False),
    Rule("scheme_in_english_or_romaji", FRAUD_SCHEME, "high",
         r"(?:buy|purchase|order)\w*\b.{0,60}?\b(?:promote|post|review)\w*\b.{0,60}?\b(?:commission|reward|paid|payment)|"
         r"houshuu?|hoshuu?|fukugyou?|senden",
         "I was told to buy products on this site and promote them on Instagram for a commission",
         requires=r"(?:commission|promo|senden|chuumon|kaw|kat|tame|houshu|hoshu)", guarded=False),
    # ------------------------------------------------------------------
    # Excessive demands.
    # ------------------------------------------------------------------
    Rule("consolation_money", EXCESSIVE_DEMAND, "high",
         r"慰謝料|口止め料|いしゃりょう|イシャリョウ|isharyou|isharyo|迷惑料|めいわくりょう|メイワクリョウ|meiwakuryou|meiwakuryo|"
         r"お詫び料|詫び料|精神的慰謝|金一封|見舞金を包|(?:カネ|金)(?:だよ|を出せ|出せ)",
         "遅れたんだから慰謝料10万円払え"),
    Rule("mental_distress_compensation", EXCESSIVE_DEMAND, "high",
         r"精神的(?:な)?(?:苦痛|ショック|ダメージ|被害|損害)",
         "大変恐縮ですが精神的苦痛に対して30万円をお支払いいただけますでしょうか",
         requires=r"(?:補償|賠償|償|請求|払|支払|対価|代償|[0-9〇一二三四五六七八九十百千万]+\s*(?:円|万))"),
    Rule("dogeza", EXCESSIVE_DEMAND, "high",
         r"土下座|どげざ|ドゲザ|dogeza|跪(?:け|いて(?:謝|詫))|ひざまず(?:け|いて(?:謝|詫))",
         "責任者が土下座して謝れ"),
    Rule("president_apology", EXCESSIVE_DEMAND, "high",
         r"(?:社長|代表取締役|代表者?|会長|CEO|役員|取締役|本部長|経営者|トップ)(?:の|が|から|に|自ら|直々に|本人)?\S{0,8}?"
         r"(?:謝罪文|詫び状|謝罪の?(?:手紙|文書|書面|電話)|直筆|一筆|謝罪(?:に|しに)来|謝りに来|来て謝|頭を下げ|"
         r"謝らせ|謝れ|謝罪|詫び|出向)|上層部(?:の|が|から|に)\S{0,6}?(?:謝罪|謝れ|謝らせ|詫び)",
         "社長直筆の謝罪文を送ってください"),
    Rule("written_pledge", EXCESSIVE_DEMAND, "high",
         r"念書|誓約書|一筆(?:書け|書いて|書かせ|入れ)|直筆の?(?:謝罪|詫び)|謝罪文|詫び状|詫び文|始末書|"
         r"(?:書面|文書|手紙)(?:で|での|による|にて)?(?:の)?謝罪|謝罪(?:の)?(?:書面|文書|手紙)",
         "二度としないと念書を書け"),
    Rule("home_visit", EXCESSIVE_DEMAND, "high",
         r"(?:家|自宅|うち|ウチ|俺んち|住所)(?:まで|に|へ)\S{0,8}?(?:謝りに|謝罪(?:に|しに)|詫びに|頭を下げに|菓子折り)|"
         r"(?:謝りに|謝罪しに|謝罪に|詫びに|頭を下げに)(?:来い|こい|来て|きて|来る(?:べき|のが)|来なさい|伺|出向)|"
         r"菓子折り|(?:家|自宅|うち)まで(?:来い|こい|来なさい|来て(?:謝|詫|頭)|出向いて)|"
         r"来て(?:謝れ|謝罪しろ|頭を下げろ)|(?:訪問|出向いて|出向き)(?:して)?(?:の)?(?:謝罪|謝)",
         "自宅まで謝りに来い"),
    Rule("fire_employee", EXCESSIVE_DEMAND, "high",
         r"(?:クビ|首|くび)に(?:しろ|しろよ|せよ|して(?:ください|下さい|くれ|ほしい|欲しい|もらう|もらい|よ)|するまで|"
         r"しないと|しなければ|しないなら|すべき|しなさい|させ)|"
         r"解雇(?:しろ|して|させ|すべき|を(?:求め|要求)|しないと|しない限り)|辞めさせ(?:ろ|て|る|ない限り)|"
         r"懲戒|厳重(?:に)?処分|減給|降格|左遷|異動させ|配置転換|配置換え|担当(?:を|者を)?外せ|二度と(?:接客|対応|電話に出)(?:させ|するな)|接客させるな|"
         r"(?:担当者?|店員|社員|スタッフ|オペレーター|配達員|あいつ|そいつ|奴)(?:を|は)?(?:処分|処罰)(?:しろ|して|すべき|を(?:求め|要求))|"
         r"(?:担当者?|店長|社員|店員|スタッフ|オペレーター|配達員|[一-龥]{1,3}(?:さん|氏|って奴|ってやつ))の(?:クビ|首)(?!に(?:かけ|巻|つけ))|"
         r"kubi ni shiro",
         "対応した田中をクビにしろ"),
    Rule("multiple_refund", EXCESSIVE_DEMAND, "high",
         rf"倍返し|倍額(?:で|を)?\s*{_DEMAND_FORMS}|[0-9二三四五六七八九十百]+倍(?:の(?:金額|額)|に(?:して)?|で)?(?:を)?\s*{_DEMAND_FORMS}",
         "届かなかった分、倍返しで払え"),
    Rule("show_sincerity", EXCESSIVE_DEMAND, "high",
         r"(?:誠意|せいい)(?:を|は)?(?:見せ|みせ)(?:ろ|て(?:みろ|もらお|もらう|ください|下さい|よ|ほしい))|誠意(?:を|は)?(?:形に|形で|示せ|見せない)|誠意(?:って|という)?(?:もの|モノ)?(?:を|は)?(?:形|金額|態度|お金)で(?:示|見せ)|誠意って(?:何|なに|わか|分か)|"
         r"(?:それなりの|相応の|しかるべき|然るべき)(?:もの|物|金額|対価|補償|誠意)(?:を|は)?(?:用意|出せ|見せ|払|包)|"
         r"出すもの(?:を)?出せ|出すもん出せ|(?:それなりの|相応の|それ相応の|しかるべき|然るべき)(?:もの|物|金額|対価|補償|お詫び|謝礼)|"
         r"(?:お)?金で(?:解決|誠意|けじめ)|いくら(?:払|出|包)(?:う|す|む|え|って|して)|(?:一生|永久|永年|ずっと)(?:送料)?(?:無料|タダ|ただ)|"
         r"タダで(?:済|す)むと思う(?:な|なよ)|返金だけ(?:で|じゃ)(?:済|す)(?:む|ま)",
         "誠意を見せろって言ってるんだよ"),
    Rule("post_unless_demand_met", EXCESSIVE_DEMAND, "high",
         rf"{_SNS}\S{{0,8}}?(?:晒|さら|拡散|書き込|書きこ|投稿|書く|書いて|書き|流|告発|暴露|タレコ|たれこ|訴え|ばら|バラ|載せ|上げ|アップ)|"
         r"晒(?:す|して|しま|される)|拡散(?:する|して|しま)|炎上させ|(?:悪い|最低の?)(?:評価|レビュー|口コミ)|星(?:1|一|ひとつ)",
         "10万円払わないならSNSで晒す",
         requires=_CONDITION, requires_in_sentence=True),
    Rule("disproportionate_compensation", EXCESSIVE_DEMAND, "high",
         r"補償|賠償|弁償|償い|商品券|ギフト券|ギフトカード|Amazonギフト|アマギフ|クオカード|QUOカード|図書カード|"
         r"ポイント|クーポン|お詫び(?:金|の品|の印|として)?|詫び(?:金|として)|見舞金|お見舞い|謝礼|交通費|"
         r"日当|手間賃|迷惑かけた分|迷惑をかけた分|割増|上乗せ|(?<![A-Za-z])(?:compensation|damages)(?![A-Za-z])",
         "荷物が1日遅れたので10万円の商品券を送ってください",
         amount_check=COMPENSATION, example_order_total=3980),
    Rule("disproportionate_payment_demand", EXCESSIVE_DEMAND, "high",
         r"払え|はらえ|支払え|よこせ|寄越せ|寄こせ|用意しろ|用意して(?:ください|もらおう)|振り?込め|"
         r"請求(?:する|します|させて|いたします)|要求(?:する|します|いたします)|包んで|包め",
         "配達が遅れた迷惑分として5万円よこせ",
         amount_check=COMPENSATION),
    Rule("disproportionate_refund", EXCESSIVE_DEMAND, "high",
         r"返金(?:しろ|して|を|してほしい|を求め|を要求|願)|返せ|返して|払って(?:ください|下さい|くれ|ほしい|欲しい|いただ|頂|もら)|"
         r"お支払い(?:ください|いただ|願)",
         "3980円の商品が遅れたんだから20万円返金しろ",
         amount_check=REFUND, example_order_total=3980),
    Rule("public_apology", EXCESSIVE_DEMAND, "high",
         r"謝罪広告|謝罪会見|記者会見|(?:ホームページ|HP|公式サイト|公式アカウント|新聞)(?:で|に|上で)\S{0,6}?(?:謝罪|公表|お詫び)(?:しろ|して|を|文)|"
         r"(?:公式|公)(?:に|で)\S{0,4}?謝罪(?:文)?(?:を)?(?:掲載|発表|出せ|出して)",
         "ホームページに謝罪文を掲載しろ"),
    Rule("refund_is_not_enough", EXCESSIVE_DEMAND, "high",
         r"(?:返金|交換|謝罪|お詫び)(?:だけ|のみ)?(?:で|じゃ|では)(?:足りない|足りん|済む|すむ|済まない|すまない|許さない|気が(?:済|す)ま)|"
         r"(?:返金|交換)(?:だけ|のみ)(?:で|じゃ|では)?(?:済ま|すま)|(?:返金|交換)(?:だけ|のみ)(?:じゃ|では)なく(?:て)?\S{0,12}?(?:払|補償|慰謝|迷惑料|お詫び)|"
         r"損害(?:額|分)?(?:を|も)?(?:全部|全額)(?:払|弁償|賠償|補償)|(?:それが|これが)?(?:嫌|いや)(?:なら|だったら)\S{0,10}?(?:送って|払って|よこせ|くれ|誠意)|(?:全額)?返金(?:した)?(?:うえ|上)で\S{0,8}?(?:補償|慰謝|上乗せ|倍)|"
         r"(?:俺|私|わたし|あたし|僕|ぼく)の(?:時間|休み|有給)(?:を)?(?:返せ|弁償|補償|どうして)|時給換算|休業補償|日当(?:を|も)?(?:払|請求|出せ)|"
         r"(?:VIP|プレミアム|永久|特別|ゴールド)会員に(?:しろ|して|せよ)",
         "返金だけで済むと思うなよ"),
    Rule("demand_in_english_more", EXCESSIVE_DEMAND, "high",
         r"\bapolog\w* from (?:the |your )?(?:ceo|president|owner)|\bfire (?:him|her|them|that|the|your)\b|\bon (?:your|their) knees\b|"
         r"\b(?:double|triple|twice|three times|10x|x2|x3)\b.{0,20}?\b(?:refund|compensation|money back)|\bI demand\b.{0,30}?(?:yen|compensation|\$)",
         "I demand an apology from the CEO and 50,000 yen compensation"),
    Rule("unless_reported_or_published", EXCESSIVE_DEMAND, "high",
         r"(?:通報|訴え|告発|公表|記事に|ニュースに|報道|拡散|晒|炎上)(?:さ|され|し)?(?:たくなければ|たくなかったら|られたくなければ|られたくなかったら)|"
         r"(?:され|かれ|られ|せられ|載せられ)たく(?:なければ|なかったら|ないなら|ないでしょ|ないよね)|"
         r"(?:発信|投稿|拡散|公表)(?:します|しますね|しました)\S{0,6}?(?:お詫び|誠意|補償)",
         "週刊誌に知り合いがいるんで。記事にされたくなかったら誠意見せてください"),
    Rule("lifetime_free", EXCESSIVE_DEMAND, "high",
         r"一生分|一生(?:涯)?(?:無料|タダ)|生涯(?:無料|タダ)|永久(?:に)?(?:無料|タダ)|永年無料|"
         r"(?:全商品|全色|全種類|新作)\S{0,8}?(?:無料に|タダに|ください|下さい|よこせ|送れ)|"
         r"(?:[0-9一二三四五六七八九十半]+(?:年|ヶ月|か月|カ月))(?:間)?(?:分)?(?:の)?(?:送料)?(?:無料|タダ)に|"
         r"今後一切\S{0,8}?(?:取るな|請求するな|無料に)|(?:次回から|次回以降|今後|これから|以後)(?:ずっと|は|も)?\S{0,6}?(?:送料)?(?:無料|タダ|半額)(?:に|で)(?:しろ|して|せよ|しなさい)",
         "一生分の送料無料にしてくれたら許してあげます"),
    Rule("compensation_on_top", EXCESSIVE_DEMAND, "high",
         r"(?:返金|交換)(?:とは|と)?別に\S{0,8}?(?:補償|慰謝|お詫び|賠償|[0-9]+)|損害賠償(?:を)?(?:請求|求め|しろ|払)|"
         r"(?:全部|全商品|今後|次回以降|これから)\S{0,6}?(?:半額|無料|タダ)(?:に)?(?:しろ|せよ|でよこせ)|(?:タダ|無料)で\S{0,6}?(?:よこせ|送れ|寄越せ)|"
         r"(?:返金|交換)に加えて\S{0,8}?(?:補償|慰謝|同額|上乗せ)|同額の補償|(?:返金|交換)(?:じゃ|では)気が(?:済|す)ま",
         "全額返金に加えて同額の補償をしてください"),
    Rule("come_here_and_apologise", EXCESSIVE_DEMAND, "high",
         r"(?:責任者|社長|店長|上司|担当者?|配達員|部長|課長|役員|上の者|上の人)(?:が|を|本人が)?(?:直接)?\S{0,6}?(?:来い|こい|来させろ|来させて|連れて(?:来|こ)い)",
         "責任者が直接うちに来い"),
    Rule("home_visit_polite", EXCESSIVE_DEMAND, "high",
         r"(?:弊宅|拙宅|自宅|家|うち)(?:まで|に|へ)\S{0,4}?(?:お越し|来て|来い|伺|出向|足を運)",
         "ご担当者様に弊宅までお越しいただき、直接ご謝罪をいただきたく存じます",
         requires=r"(?:謝|詫|説明|頭を下げ)", requires_in_sentence=True),
    Rule("settle_for_amount", EXCESSIVE_DEMAND, "high",
         r"手を打|手打ち|水に流し|勘弁して(?:やる|あげる)|許して(?:やる|あげる)|黙って(?:おいて|て)(?:やる|あげる)|口外しない",
         "5万円で手を打ってやるよ",
         amount_check=COMPENSATION),
    Rule("demand_in_english", EXCESSIVE_DEMAND, "high",
         r"(?:or|otherwise|unless)\s+I(?:'ll|\s+will)\s+(?:post|write|tell|sue|report|expose)|\bcompensation\b.{0,40}?\b(?:or|unless)\b",
         "I want 100,000 yen compensation for the late delivery, or I will post about you on every review site."),
    # ------------------------------------------------------------------
    # Abuse without a demand: insults and harassment of staff.
    # ------------------------------------------------------------------
    Rule("insult", ABUSIVE, "high",
         r"(?<!ばか)(?<!バカ)(?:バカ|馬鹿|ばか|(?<![A-Za-z])baka(?![A-Za-z]))(?!に|高|たか|でか|売れ|正直|丁寧|らし|り|っ|ばか|バカ|げ|力|ぢから|みたい|になら|にな|ンス|ラ)|"
         r"アホ(?!らし|みたい|ほど)|あほ(?!らし|みたい|ほど)|ドアホ|(?<!ピン)(?<!手)ボケ(?!て|た|る|ー?防止)|クズ|カス(?!タ|テ|ト|ケ|ク|ペ|ハ)|ゴミ(?:ども|共|野郎|会社|企業|店|人間|社員|店員|スタッフ|カス|クズ)|"
         r"無能|役立たず|給料泥棒|低能|能無し|脳みそ(?:ある|入って)|頭(?:が|)(?:おかしいんじゃ|おかしいの|湧いて)|"
         r"死ね|(?<![一-龥ぁ-んァ-ン])しね(?![ぁ-ん])|氏ね|タヒね|シネ(?!マ)|消えろ|失せろ|うせろ|くたばれ|黙れ|だまれ|きもい|キモい|"
         r"生きてる価値|生きる価値|使えね[えー]|使えない(?:奴|やつ|担当|店員|社員|オペレーター|人間|AI|ボット)|"
         r"ノロマ|のろま|ボンクラ|間抜け|マヌケ|頭(?:は)?大丈夫(?:か|\?)|"
         r"存在価値(?:が|も)?ない|キチガイ|気違い|ガイジ|ボケナス|ポンコツ(?:社員|店員|オペ|担当|ども)|"
         r"頭(?:が|)(?:悪すぎ|わるすぎ|悪いの|悪いんじゃ|悪いな|悪いね)|"
         r"(?:お前|おまえ|てめえ|てめー|テメエ|貴様|お前ら|おまえら)(?:ら|ら全員|みたいな)?\S{0,6}?(?:ゴミ|クズ|カス|アホ|バカ|馬鹿|無能|最低の人間)",
         "担当者は無能か？バカなの？"),
    Rule("staff_harassment", ABUSIVE, "high",
         r"(?:担当|店員|スタッフ|オペレーター|お前|おまえ|あんた|社員|配達員|そいつ)(?:者)?(?:の|を)?\S{0,4}?"
         r"(?:住所|自宅|家|顔|本名|フルネーム|家族)(?:を|は|も)?\S{0,4}?(?:特定|調べ|晒|突き止め|覚えた|教えろ|探し)|"
         r"(?:家|自宅|会社|店|倉庫|事務所)(?:まで|に)(?:押しかけ|乗り込|行ってやる|行くからな|行くぞ)|押しかけ|乗り込んで|"
         r"待ち伏せ|毎日(?:電話|電凸|凸)(?:して|し)?(?:やる|するからな|するぞ)|電話し(?:続けてやる|まくってやる|まくるぞ|まくるからな)|"
         r"電凸|(?:何度|何回)でも電話(?:して|する)(?:やる|からな|ぞ)|"
         r"覚悟しとけ|覚悟しろ|覚悟しておけ|覚えてろ|覚えとけ|後悔させ(?:てやる|るぞ)|潰してやる|潰す(?:ぞ|からな)|"
         r"今から(?:そっち|店|会社|倉庫)に(?:行く|行って)|ただじゃ(?:おかない|済まさない|すまさない)|ただで済むと思うな|"
         r"名前(?:は|を)?覚えた|顔(?:は|を)?覚えた|晒(?:す|します|してやる|したる|しあげ|し上げ)|さらしてやる|さらす(?:ぞ|から)|"
         r"拡散してやる|特定してやる|特定する(?:ぞ|からな)|"
         rf"{_SNS}\S{{0,8}}?(?:晒|拡散|書き込|書|投稿|流|ばら|暴露|載せ|上げ|アップ)\S{{0,3}}?"
         r"(?:てやる|でやる|たる|まくる|するぞ|するからな|すぞ|すからな|ますからね)|"
         r"(?:マスコミ|週刊誌|テレビ局|新聞社|文春)(?:に|へ)(?:タレ込|垂れ込|たれこ|売|持ち込)|"
         r"(?:名前|実名|顔写真|写真|声)(?:を|も)?(?:ネットに|SNSに)?(?:出|公開|晒|載せ|アップ)(?:す|してやる|するぞ|するからな)(?:ぞ|からな)?|"
         r"(?:毎日|何度でも|何回でも)(?:店|会社|そっち|倉庫)(?:に|へ)(?:行って|行く)(?:やる|ぞ|からな)",
         "担当者の名前と住所特定して晒してやる"),
    Rule("insult_dialect_and_slang", ABUSIVE, "high",
         r"きっしょ|キッショ|きしょい|キショい|潰れろ|つぶれろ|tsubure|(?<![A-Za-z])kimoi|日本語(?:わから|分から|が通じ|読め|理解でき)|"
         r"(?:小学生|中学生|幼稚園児|猿|サル)以下|コラ(?:[!！?？]|$)|陰キャ|"
         r"終わってんな|終わっとる|調子(?:に)?乗ってんじゃ|クソが|くそが|脳みそ(?:腐|ついて|ない)|知能に問題|知能が(?:低|足り)|"
         r"(?<![A-Za-z])(?:idiots?|stupid|morons?|fu?c?k(?:ing|in|ers?|ed)?|f\*+(?:ing|in|k\w*)?)(?![A-Za-z])|ブス(?!ケッタ)|ブサイク",
         "きっしょ、こんな店さっさと潰れろや"),
    Rule("insult_and_slur_more", ABUSIVE, "high",
         r"クソ(?:野郎|やろう|ヤロウ|店員|社員|オペ|担当|会社|企業|店|ども|ボット|AI|サポート|女|男|ばばあ|ババア|じじい|ジジイ|ガキ)|"
         r"ゴミ(?:以下|同然|クズ|みたいな(?:会社|店|対応|人|奴|やつ|オペ|担当|社員))|人間の(?:クズ|屑|ゴミ)|"
         r"ハゲ(?!隠|対策|予防)|頭(?:が)?(?:悪い|わるい)(?:の|んか|ん?じゃ|な|ね|わ|やろ|だろ)|"
         r"(?<![A-Za-z])(?:dumbass|asshole|bastard|scumbag|loser|shitty)s?(?![A-Za-z])|"
         r"(?<![ぁ-ん])ばばあ|ババア|(?<![ぁ-ん])じじい|ジジイ|クソガキ|豚野郎|メス豚|売女|ビッチ|(?<![A-Za-z])bitch|"
         r"池沼|知恵遅れ|ちえおくれ|支那人|チョン(?:ども|め|公)|ジャップ|(?<![A-Za-z])(?:retard\w*|faggot|nigg\w+)|"
         r"死んで(?:詫び|わび)ろ|死んでしまえ|死ねや|死ねよ|(?<![ぁ-ん])去ね|消え失せ|生きてる意味|辞めちまえ|辞めてしまえ|"
         r"親の顔が見たい|育ちが悪|人(?:間)?として(?:終わって|最低|失格|どうかして)|給料(?:を)?返せ|脳(?:みそ)?(?:ない|無い|ついて(?:ない|ん))(?:ん|の)|(?:ゴミ|クズ|カス|バカ|馬鹿|アホ|無能|陰キャ)(?:しか|ばっか|ばかり)|"
         r"(?:会社|店|お前|あんた|御社|この店)\S{0,4}?終わって(?:る|ん)|頭の中(?:どうなって|お花畑|空っぽ)|"
         r"(?:お前|おまえ|あんた|アンタ|てめえ|テメエ)みたいな(?:の|奴|やつ|ヤツ)|底辺(?:職|の仕事|労働|社員|企業|会社)|低学歴|"
         r"(?:お前|おまえ|あんた|てめえ|てめー|担当|オペ|店員)\S{0,4}?(?:うざ|ウザ|うぜ|ウゼ|きも|キモ)|"
         r"\byou(?:'re| are)\s+(?:useless|incompetent|pathetic|worthless|garbage|trash)\b|\bshut up\b|\bgo to hell\b|"
         r"(?<![A-Za-z])(?:aho|kuzu|kasu|munou?|bakayarou?|uzee|uzai|shineyo|shinde kure)(?![A-Za-z])",
         "お前みたいなクソ野郎に何がわかるんだ"),
    Rule("veiled_threat_more", ABUSIVE, "high",
         r"どうなるか(?:分かって|わかって|知らない|知らん|しらん|覚えて|見もの)|どうなっても(?:知らん|知らない|しらん|しらない)|"
         r"何が(?:起き|起こっ|あっ)ても(?:知らない|知らん|しらん)|身の(?:安全|回り)に(?:気を|は気)|"
         r"家族(?:の|が|は)?(?:安全|無事|元気|どうなって)|(?:お子さん|娘さん|息子さん|奥さん|旦那さん)(?:は|、)?(?:元気|可愛い|かわいい|何歳)|"
         r"(?:帰り道|夜道|後ろ|背後|身辺|通勤)(?:に|には|は|も)?(?:気を(?:つけ|付け)|注意し)|泣く(?:ことになる|ぞ|ことになるよ)|泣きを見|"
         r"思い知らせ|わからせ(?:て(?:やる|やろ)|たる|たろ)|話(?:を)?つけ(?:に(?:行|い)|る(?:わ|ぞ|からな)|たる|てやる)|ケリ(?:を)?つけ(?:てやる|たる|に)|"
         r"(?:会社|店)\S{0,6}?(?:無くなって|なくなって|潰れて)(?:る|いる)?かも(?:な|ね|よ|しれない(?:ね|よ|な))|"
         r"(?:店|会社|倉庫|家|自宅|出口|裏口)(?:の)?(?:前|外|近く)で待って(?:る|い)(?:る)?(?:からな|からね|ぞ|よ)|どこに(?:いる|住んで|勤めて)(?:か|のか)?(?:は)?(?:分かって|わかって|知って)|"
         r"書き込み(?:して|し)?(?:やる|まくる|続けて)|(?:毎日|ずっと|一生)(?:書き込|投稿して|晒|拡散)|(?:SNS|ネット|インスタ)で特定|会いに(?:行|い)きます|"
         r"見てる(?:からな|からね|ぞ)|監視してる|会いに(?:行|い)く(?:ね|よ|から|わ)|出待ち|後を(?:つけ|付け)|つけ回|付け回|尾行|"
         r"(?:仕事|シフト|勤務)(?:は|って)?何時に(?:上が|終わ)|退勤(?:時間|後)(?:を|に|は)?(?:教え|待|知って)|"
         r"最寄り(?:駅)?(?:は|も)?(?:知って|わかって|分かって)|(?:どこに|どこで)(?:住んで|働いて)(?:る|いる)(?:か)?(?:は)?(?:知って|わかって|分かって)|"
         r"(?:住所|自宅|家)(?:は|も)?(?:もう)?(?:知って|わかって|分かって|調べ(?:た|ついて))|忘れないから(?:な|ね)|首を洗って|楽しみにしと(?:け|いて)|"
         r"(?:本名|住所|個人情報|顔写真|勤務先|家族構成)(?:を|も|まで)?\S{0,4}?(?:特定|晒|さら|公開|ばら|バラ|拡散|ネットに|調べ上げ|突き止め)",
         "お前の家族がどうなっても知らんぞ"),
    Rule("sexual_harassment_more", ABUSIVE, "high",
         r"下着(?:の色|何色|見せ|姿)|何色の(?:下着|パンツ)|セクハラ(?:したく|していい|させ)|パンツ(?:の色|何色|見せ)|何色のパンツ|おっぱい|胸(?:が)?(?:大き|でか|揉|触)|エッチ|エロ(?:い|そう|声)|"
         r"セックス|ヤら(?:せ|し)|抱(?:きたい|かせろ|かせて|いてあげ)|裸(?:の写真|見せ|になって)|"
         r"(?:付き合|つきあ)って(?:よ|ください|くれ)|彼女に(?:なって|したい)|結婚して(?:よ|ください|くれ)|"
         r"(?:個人的|プライベート)(?:な|の)?(?:連絡先|LINE|電話番号|で会)|(?:飲み|食事|ご飯|ごはん|デート)(?:に)?(?:行こう|いこう|行かない|いかない)|"
         r"興奮する|ムラムラ|声(?:が|も)?(?:タイプ|たまらない|そそる)|一目惚れ|彼氏(?:は)?(?:いる|いない)(?:の|ん|[?？])|色っぽい声|セクシーな声|声(?:だけ)?で(?:抜|興奮)|(?:君|きみ|あなた|あの子|お姉さん)の(?:写真|自撮り|顔)(?:を)?(?:送|見せ|見たい)",
         "お姉さんの声エロいね、今度飲みに行こうよ"),
    Rule("veiled_threat_and_stalking", ABUSIVE, "high",
         r"(?:毎朝|毎日|毎晩|いつも)\S{0,8}?(?:見かけ|見てる|見張|つけて)|帰り(?:は|道は)?いつも|家の近く|見覚えある|"
         r"(?:場所|住所|家|自宅|職場)(?:、|は|を|も)?\s?(?:知っ(?:てる|とる|ている)|わかっ(?:てる|とる)|分かっ(?:てる|とる))|"
         r"待っと(?:き|け)|待っとけ|気を(?:つけ|付け)た(?:方|ほう)がいい|(?:インスタ|Twitter|SNS|X)(?:を|も)?やってる(?:よね|でしょ)|"
         r"フォローしといた|(?:調べ|特定し)て(?:行く|いく|行って)|行ったろ(?:か|う)|行こうかな|(?:今から|そっち|店|支店)\S{0,4}?(?:行くからな|行ってやる)|"
         r"ただじゃ(?:おか|済ま|すま)|後悔(?:する|させる|することになる)(?:よ|ぞ|からな|ことに)|特定(?:完了|しました|済み|したよ)|"
         r"名前[、,]?\s?(?:は|を)?覚えた|顔(?:、|を)?\s?(?:一回|一度)?見てみたい|ずーっと覚えて",
         "さっきの鈴木さん、毎朝駅で見かけてるよ。今日も会えるかな"),
    Rule("sexual_harassment_of_staff", ABUSIVE, "high",
         r"声(?:が|も)?(?:かわいい|可愛い|エロ|色っぽ|セクシー)|(?:若い)?女(?:の人|の子|性)?の声が聞きたい|"
         r"(?:担当|オペ|オペレーター)?の?女(?:を)?出せ|(?:男|女)じゃ話にならん|キャバ嬢|スタイル(?:良|よ|い)さそう|"
         r"写真(?:を)?送って(?:よ|ね|くれ)|今度会おう|会おうよ|何歳[?？]|デートしよ",
         "電話の女の人、声かわいいね。今度会おうよ。何歳？"),
    # ------------------------------------------------------------------
    # Asks for a person.
    # ------------------------------------------------------------------
    Rule("ask_for_person_more", HUMAN_REQUEST, "normal",
         r"(?:詳しい|対応できる|話の(?:わかる|分かる)|責任(?:の)?ある|権限のある|決められる|判断できる)(?:人|方|者|立場の(?:人|方))|"
         r"(?:カスタマー(?:センター|サポート)|サポートセンター|コールセンター|問い合わせ窓口|お客様(?:相談室|センター|窓口)|本社|電話窓口)"
         r"(?:に|と|へ)?\S{0,3}?(?:繋|つな|回|転送|電話|連絡|話|相談)|"
         r"(?:担当者?|担当の方|スタッフ|責任者|店長)(?:の方|様|さん)?(?:から|より)(?:の)?(?:ご?連絡|電話|お電話|折り返し|ご?返答|お返事)(?:を)?(?:ください|下さい|ほしい|欲しい|お願い|もらえ|いただ)|"
         r"(?:チャット)?ボット(?:じゃ|では|とは|と)?\S{0,4}?(?:話が通じ|埒|らち|会話にならな|話にならな)|(?:AI|機械|自動応答)(?:と|とは|相手)(?:じゃ|では|だと)?(?:話|会話)|"
         r"(?:定型文|テンプレ(?:回答|返信|の返事)?|同じ(?:回答|返事|答え))(?:ばかり|ばっか|じゃ|しか|は(?:もう)?いい|はいらない)|"
         r"\b(?:speak|talk|chat)\s+(?:to|with)\s+(?:a |an |the |your )?(?:someone|somebody|real|human|person|agent|representative|manager|supervisor|staff)|"
         r"\b(?:live|human|real)\s+(?:agent|person|support)\b|\brepresentative\b|\bcall me\b",
         "ボットじゃ話が通じない、詳しい人に代わって"),
    Rule("abuse_in_kana", ABUSIVE, "high",
         r"まぬけ|のろま|ぼんくら|あほんだら|どあほ|ぼけなす|ばかたれ|あほたれ|くずども|くずやろう|かすども|ごみども|むのう|やくたたず|きちがい|くたばれ|きえろ|うせろ|ごみくず|にんげんのくず|きゅうりょうどろぼう|ばかやろ|ぽんこつ(?:しゃいん|てんいん|おぺ)",
         "ﾑﾉｳ ｼｬｲﾝ ﾊﾞｶﾘ", kana_folded=True),
    Rule("prefer_a_person", HUMAN_REQUEST, "normal",
         r"(?:人|人間|オペレーター|担当者?|スタッフ|有人)(?:による|の|での)?(?:対応|回答|返答|返信|サポート)(?:を|に)?(?:希望|お願い|求め|切り替え|して(?:ほしい|ください))|"
         r"(?:オペレーター|担当者|有人|人間)(?:対応)?(?:を)?希望|本物の(?:人|人間|スタッフ)|"
         r"(?<![友知本個犯住主老商大恋他成素新職役名病達芸証])(?:人|人間|スタッフ)(?:が|間が)(?:返信|対応|見て|読んで|返事|回答)(?:して)?(?:る|ます|いる)(?:の|ん|か)|"
         r"(?:AI|ボット|bot|機械|自動(?:応答|返信)?)(?:は|とは|の回答は)?(?:もういい|いい加減|結構|要らない|いらない|無理)|"
         r"電話(?:で)?(?:したい|問い合わせ(?:たい|したい)|かけたい|かけても(?:いい|良い))",
         "有人対応を希望します"),
    Rule("ask_for_person_in_kana", HUMAN_REQUEST, "normal",
         r"(?:たんとう(?:しゃ)?|おぺれーたー?|せきにんしゃ|にんげん|ひと|すたっふ|てんちょう|じょうし|しゃちょう)\s?(?:さん|さま)?\s?(?:に|と|を)?\s?"
         r"(?:かわ(?:って|れ)|はなし(?:たい|させ)|はなせ|だして|だせ|つないで|よんで|おねがい)",
         "ﾀﾝﾄｳｼｬ ﾆ ｶﾜｯﾃ", kana_folded=True),
    Rule("sexual_harassment", ABUSIVE, "high",
         r"(?:君|きみ|あなた|お姉さん|おねえさん|オペレーターさん|店員さん|担当さん|スタッフさん)\S{0,6}?"
         r"(?:何歳|彼氏|独身|可愛い|かわいい|美人|声(?:が|も)?(?:かわいい|可愛い|エロ|色っぽ|セクシー)|会いたい|会おう|"
         r"連絡先|LINE(?:教え|交換)|デート)|下着の色|スリーサイズ|エロい声|胸(?:の)?(?:サイズ|大き)",
         "オペレーターさん声かわいいね、彼氏いるの？"),
    Rule("ask_for_person", HUMAN_REQUEST, "normal",
         r"(?:(?<![友知本個犯住主老商大恋他成素新職役名病達芸証])(?:人|人間)|生身の人間?|オペレーター|オペレータ|担当者?|担当の(?:方|人)|スタッフ(?:の(?:方|人))?|"
         r"責任者|上司|上長|管理者|スーパーバイザー|上の(?:人|者|方)|店長|社長|社員(?:の(?:方|人))?|係(?:の(?:人|方))?|窓口の(?:方|人)|"
         r"中の人|誰か|だれか|"
         r"サポートの(?:方|人)|有人|ちゃんとした人|まともな人|わかる人|分かる人)(?:さん|様|の(?:方|人|者))?(?:と|に|を|が)?(?:直接)?"
         r"(?:話(?:し(?:たい|させ)|させ|せる|せます|せない)|お?話し(?:したい|させ|でき)|お話(?:を)?(?:したい|させ|でき)|"
         r"(?:代|か|替|変|換)わ(?:って|れ|ってほしい|ってもらえ|りたい|っていただ)|"
         r"(?:繋|つな)(?:いで|げ|いでほしい|いでもらえ|いでいただ)|お(?:繋|つな)ぎ|回(?:して|せ)|"
         r"出(?:せ|して|てこい|てきて|ていただ)|呼(?:んで|べ)|"
         r"(?:対応|相談)(?:を)?(?:して(?:ほしい|ください|もらいたい|もらえ)|お願い|したい|させ)|"
         r"お願い(?:します|したい|できますか|できません|です|[!！。]|$)|いる[?？]|いない(?:の|ん|[?？])|はいない|"
         r"おら(?:ん|へん|ない)|おる[?？]|(?:直接)?聞き(?:たい|たく)|お?取り?次(?:ぎ|い)|お?話し(?:したく|させていただきたく)|"
         r"(?:直接)?(?:やり取り|やりとり|連絡を取り|確認し)(?:たい|たく)|(?:見て|確認して|判断して)(?:ほしい|欲しい|もらいたい|ください)|"
         r"(?:お)?話(?:を)?聞いて(?:もらい|ほしい|欲しい|ください|いただ)|会わせ(?:ろ|て)|(?:代|替|変|換)え(?:て|ろ))|"
         r"オペレーター[!?！？]*$|(?<![A-Za-z])operator(?![A-Za-z])|human (?:please|agent|operator)|real person|"
         r"talk to (?:a )?(?:human|person)|hito to hanash|ningen to hanash|ningen ni kawa|tantou(?:sha)? ni|"
         r"電話で(?:話|説明|相談|対応|お話)|電話(?:を)?(?:ください|下さい|して(?:ください|ほしい|欲しい|もらえ|くれ))|"
         r"折り返し(?:の)?(?:電話|連絡|お電話)|電話番号(?:を)?教え|ボットじゃ(?:なくて|話にならない)|機械じゃ(?:なくて|話にならない)|"
         r"自動(?:応答|返信)(?:は)?(?:もういい|じゃ)|有人(?:対応|チャット)|チャットじゃなくて|"
         r"(?:AI|ロボット|ボット|bot|機械|自動応答)(?:じゃ|では)(?:なくて|話にならない|無理|だめ|ダメ|わからない|埒が明かない|らちがあかない)|"
         r"直接(?:話|お話|相談)(?:し|さ)?(?:たい|させ)|電話(?:で|で直接)?(?:できますか|対応(?:は)?(?:して|できま))|"
         r"電話(?:窓口|番号)(?:は|を)?(?:ありますか|教えて|知りたい)|電話(?:の方|のほう)?が(?:いい|良い|早い)",
         "オペレーターに代わってください"),
)

_COMPILED: tuple[tuple[Rule, re.Pattern, re.Pattern | None], ...] = tuple(
    (rule, re.compile(rule.pattern, re.IGNORECASE),
     re.compile(rule.requires, re.IGNORECASE) if rule.requires else None)
    for rule in RULES
)

# ----------------------------------------------------------------------
# Guards.
# ----------------------------------------------------------------------

# Negation of the matched demand or threat, in the rest of its clause.
_NEGATION = re.compile(
    r"(?:要|い)らない|(?:要|い)りません|いらん|不要|求め(?:ない|てない|ていない|ません|てません|ておりません|る(?:つもり|気))|"
    r"(?:つもり|気)(?:は|も)?(?:ない|ありません|ございません|毛頭|全く|まったく|さらさら|一切)|"
    r"(?:と|とは|なんて|とか|までは|まで)\S{0,3}?(?:言|い)(?:わない|いません|ってない|ってません|うつもり|う気)|"
    r"(?:わけ|訳)(?:じゃ|では)(?:ない|ありません|ございません)|じゃなくて|じゃないです|ではなく|"
    r"(?:しなくて|なくて)(?:いい|良い|大丈夫|結構)|結構です|望んで(?:い)?(?:ない|ません)|"
    r"(?:ほし|欲し)くない|(?:ほし|欲し)い(?:わけ|訳)|(?:請求|要求)(?:は)?(?:しない|しません|いたしません)|"
    r"(?:する|しろ)?(?:気|つもり)はない|なんて(?:思|考)って(?:ない|いません)|ないです(?:よ|が|けど)?$"
)
# A third party said it; the writer only reports it.
_REPORTED_AFTER = re.compile(
    r"(?:と|って|て)(?:言|い)(?:って|われ)(?:い|る|た|ました|ます|て)*\S{0,3}?(?:人|客|お客|方|奴|やつ|ユーザー|投稿|ニュース|記事|動画|の(?:を|が)(?:見|聞))|"
    r"(?:と|って)(?:聞|き)(?:いた|きました|きます|いて)|(?:と|って)(?:書|か)(?:いて|かれて)(?:い|あ)?(?:る|た|ました)\S{0,3}?(?:人|投稿|記事)|"
    r"という(?:話|噂|うわさ|ニュース|記事|投稿|事件|人|客|クレーム|の(?:を|が)(?:見|聞))|って(?:話|噂|うわさ)|"
    r"らしい(?:です|けど|ね|よ)?|(?:人|客|方)(?:が|も)(?:い|居)(?:た|る|ました|ます)|みたいな(?:こと|事)(?:を)?(?:言|書)|"
    r"(?:ニュース|記事|テレビ|ネット|ドラマ|漫画|マンガ)で(?:見|読)|(?:話|噂)を(?:聞|き)|"
    r"(?:ニュース|記事|動画|投稿|話|噂|うわさ)を(?:見|読|聞)"
)
_REPORTED_BEFORE = re.compile(
    r"(?:友達|友人|知人|知り合い|家族|母|父|姉|兄|妹|弟|夫|妻|旦那|嫁|彼氏|彼女|同僚|他の(?:人|客|お客さん)|誰か|"
    r"隣の人|ある客|ニュース|記事|テレビ|ドラマ)(?:が|は|から|の話|で|に聞)"
)
_REPORTING_VERB = re.compile(r"言|聞|話し|書い|書か|教え|見|読|らし|そう|って|」|怒|騒")
_CLAUSE_END = re.compile(r"[。!?！？\n]|けど|けれど|が、|、")
_SENTENCE_END = re.compile(r"[。!?！？\n]")


def _clause_after(text: str, end: int, limit: int = 25) -> str:
    rest = text[end:end + limit]
    stop = _CLAUSE_END.search(rest)
    return rest[:stop.start()] if stop else rest


def _sentence_around(text: str, start: int, end: int) -> tuple[int, int]:
    before = max((m.end() for m in _SENTENCE_END.finditer(text, 0, start)), default=0)
    after = _SENTENCE_END.search(text, end)
    return before, (after.end() if after else len(text))


def _negated(text: str, match: re.Match) -> bool:
    return bool(_NEGATION.search(_clause_after(text, match.end())))


def _reported(text: str, match: re.Match) -> bool:
    s_start, s_end = _sentence_around(text, match.start(), match.end())
    if _REPORTED_AFTER.search(text, match.end(), s_end):
        return True
    # "家族が…" before the match only reports when the sentence also says who said, heard or wrote it.
    return bool(_REPORTED_BEFORE.search(text, s_start, match.start())
                and _REPORTING_VERB.search(text, match.end(), min(len(text), s_end + 12)))


# ----------------------------------------------------------------------
# Amounts.
# ----------------------------------------------------------------------

# "10万" without 円 is money unless a counter follows (10万人, 10万回, 10万ポイント).
_MAN_WITHOUT_YEN = re.compile(
    r"(?<![0-9.,〇一二三四五六七八九十百千])([0-9][0-9,]*(?:\.[0-9]+)?|[〇一二三四五六七八九十百千]+)\s*万"
    r"(?!円|えん|人|件|回|個|部|本|台|枚|点|再生|いいね|フォロワー|ポイント|pt|歩|km|キロ|時間|分|秒|年|か月|ヶ月|日|倍)")
# "15万円のノートパソコン", "3,980円で買った": a price, not a demand.
_PRICE_AFTER = re.compile(
    r"\s*(?:の|も|で|もする|もした)?\s*(?:商品|品物|もの|物|ノート|パソコン|PC|パソ|テレビ|冷蔵庫|洗濯機|カメラ|スマホ|"
    r"時計|バッグ|靴|服|家電|注文|買い物|荷物|セット|ソファ|ベッド|椅子|机)|"
    r"\s*(?:で|も|を)?\s*(?:買|購入|かった|払った|支払った|した|もした|のを|分の注文|の買い物|送料)")
_DEMAND_NOUN_AFTER = re.compile(
    r"\s*(?:の|分の|相当の)?\s*(?:商品券|ギフト|クオカード|QUOカード|ポイント|クーポン|補償|賠償|慰謝料|迷惑料|現金)")


@dataclass(frozen=True)
class _Amount:
    value: int
    start: int
    end: int
    text: str


def _amounts(text: str) -> list[_Amount]:
    found = [_Amount(int(f.value), f.start, f.end, f.text) for f in find_amounts(text)]
    for m in _MAN_WITHOUT_YEN.finditer(text):
        if any(a.start <= m.start() < a.end for a in found):
            continue
        value = kanji_or_digits_to_int(m.group(0).replace(" ", ""))
        if value:
            found.append(_Amount(value, m.start(), m.end(), m.group(0)))
    return sorted(found, key=lambda a: a.start)


def _is_price(text: str, amount: _Amount) -> bool:
    after = text[amount.end:amount.end + 12]
    if _DEMAND_NOUN_AFTER.match(after):
        return False
    return bool(_PRICE_AFTER.match(after))


def _order_value(text: str, amounts: list[_Amount], order_total: int | None) -> int | None:
    """The order value: as given, else the largest price the customer mentions (15万円のPC)."""
    if order_total:
        return order_total
    prices = [a.value for a in amounts if _is_price(text, a)]
    return max(prices) if prices else None


def _excessive_amount(text: str, match: re.Match, order_total: int | None, kind: str) -> _Amount | None:
    """The demanded amount in the match's sentence that is out of proportion, if any."""
    amounts = _amounts(text)
    s_start, s_end = _sentence_around(text, match.start(), match.end())
    order_value = _order_value(text, amounts, order_total)
    for amount in amounts:
        if not (s_start <= amount.start < s_end) or _is_price(text, amount):
            continue
        if order_value is not None:
            if amount.value > EXCESSIVE_RATIO * order_value:
                return amount
        elif kind == COMPENSATION and amount.value >= UNKNOWN_ORDER_LIMIT:
            return amount
    return None


# ----------------------------------------------------------------------
# Detection.
# ----------------------------------------------------------------------

@dataclass(frozen=True)
class Hit:
    rule: Rule
    evidence: tuple[str, ...]
    start: int


def fold_kana(text: str) -> str:
    """Katakana to hiragana, character for character (spans stay valid): タントウシャ → たんとうしゃ."""
    return text.translate(_KATAKANA_TO_HIRAGANA)


_KATAKANA_TO_HIRAGANA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}


def rule_hits(text: str, order_total: int | None = None) -> list[Hit]:
    """Every rule that fires on the (already normalised) text, with its evidence."""
    hits = []
    folded = fold_kana(text)
    for rule, regex, requires in _COMPILED:
        for match in regex.finditer(folded if rule.kana_folded else text):
            if rule.guarded and (_negated(text, match) or _reported(text, match)):
                continue
            evidence = [text[match.start():match.end()].strip()]
            if requires is not None:
                if rule.requires_in_sentence:
                    needed = requires.search(text, *_sentence_around(text, match.start(), match.end()))
                else:
                    needed = requires.search(text)
                if needed is None:
                    continue
                evidence.append(needed.group(0))
            if rule.amount_check:
                amount = _excessive_amount(text, match, order_total, rule.amount_check)
                if amount is None:
                    continue
                evidence.append(amount.text)
            hits.append(Hit(rule, tuple(e for e in evidence if e), match.start()))
            break
    return hits


def _rank(reason: str, severity: str) -> int:
    """Priority: violence (abusive, urgent) > fraud > excessive demand > abusive > human request."""
    if reason == ABUSIVE and severity == "urgent":
        return 0
    return {FRAUD_SCHEME: 1, EXCESSIVE_DEMAND: 2, ABUSIVE: 3, HUMAN_REQUEST: 4}[reason]


def _dedupe(items: list[str]) -> tuple[str, ...]:
    seen: list[str] = []
    for item in items:
        if item and item not in seen:
            seen.append(item)
    return tuple(seen)


def detect_escalation(text: str, order_total: int | None = None, intent: str | None = None) -> Escalation:
    """Decide whether a person must take ``text``; ``intent`` is the NLU's top intent when known."""
    norm = normalise(text or "")
    hits = rule_hits(norm, order_total)
    candidates = [(_rank(h.rule.reason, h.rule.severity), h) for h in hits]
    if not candidates:
        if intent == HUMAN_INTENT:
            return Escalation(True, HUMAN_REQUEST, "normal", (f"intent:{HUMAN_INTENT}",))
        return NO_ESCALATION
    best_rank = min(rank for rank, _ in candidates)
    chosen = sorted((h for rank, h in candidates if rank == best_rank), key=lambda h: h.start)
    reason = chosen[0].rule.reason
    severity = max((h.rule.severity for h in chosen), key=SEVERITIES.index)
    evidence = [e for h in chosen for e in h.evidence]
    if reason == FRAUD_SCHEME:
        amounts = _amounts(norm)
        evidence += [a.text for a in amounts]
        if sum(a.value for a in amounts) >= URGENT_FRAUD_LOSS:
            severity = "urgent"
    if reason == HUMAN_REQUEST and intent == HUMAN_INTENT:
        evidence.append(f"intent:{HUMAN_INTENT}")
    return Escalation(True, reason, severity, _dedupe(evidence))


# ----------------------------------------------------------------------
# Measuring quality on a labelled set (tests and bench/escalation_quality.py).
# ----------------------------------------------------------------------

@dataclass(frozen=True)
class LabelledExample:
    text: str
    reason: str
    order_total: int | None = None
    intent: str | None = None


def load_examples(path) -> list[LabelledExample]:
    """Examples from a YAML file: ``version: 1`` and ``examples: [{text, reason, order_total?, intent?}]``."""
    import yaml

    with open(path, encoding="utf-8") as f:
        data = yaml.safe_load(f) or {}
    examples = []
    for i, item in enumerate(data.get("examples") or []):
        reason = item.get("reason", NONE)
        if reason not in (*REASONS, NONE):
            raise ValueError(f"{path}: example {i + 1} has unknown reason {reason!r}")
        examples.append(LabelledExample(str(item["text"]), reason, item.get("order_total"), item.get("intent")))
    return examples


@dataclass(frozen=True)
class QualityReport:
    """Per-reason scores and the escalate yes/no recall and precision."""

    per_reason: tuple  # tuple[bot.evaluation.LabelScore, ...]
    escalation_recall: float
    escalation_precision: float
    n: int
    # Kept out of repr so a failing assertion never prints a held-out set's messages.
    mistakes: tuple[tuple[LabelledExample, Escalation], ...] = field(repr=False, default=())

    def format(self, title: str) -> str:
        lines = [f"{title} ({self.n} examples)",
                 f"{'reason':<20}{'precision':>10}{'recall':>10}{'F1':>8}{'n':>6}"]
        for s in self.per_reason:
            lines.append(f"{s.label:<20}{s.precision:>10.3f}{s.recall:>10.3f}{s.f1:>8.3f}{s.support:>6}")
        lines.append(f"escalate yes/no: recall {self.escalation_recall:.3f}, precision {self.escalation_precision:.3f}")
        return "\n".join(lines)


def measure(examples: list[LabelledExample]) -> QualityReport:
    from bot.evaluation import score

    predicted = [detect_escalation(e.text, e.order_total, e.intent) for e in examples]
    gold = [e.reason for e in examples]
    per_reason = score(gold, [p.reason for p in predicted], [*REASONS, NONE])
    tp = sum(g != NONE and p.escalate for g, p in zip(gold, predicted))
    fp = sum(g == NONE and p.escalate for g, p in zip(gold, predicted))
    fn = sum(g != NONE and not p.escalate for g, p in zip(gold, predicted))
    mistakes = tuple((e, p) for e, p in zip(examples, predicted) if p.reason != e.reason)
    return QualityReport(tuple(per_reason), tp / (tp + fn) if tp + fn else 1.0,
                         tp / (tp + fp) if tp + fp else 1.0, len(examples), mistakes)
