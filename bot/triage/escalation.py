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
Evidence is quoted from that normalised text.

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

    def __post_init__(self) -> None:
        assert self.reason in REASONS, self.reason
        assert self.severity in SEVERITIES, self.severity
        assert self.amount_check in ("", COMPENSATION, REFUND), self.amount_check


# Words shared by several rows.
_SOCIAL = (r"(?:SNS|エスエヌエス|インスタ|(?<![A-Za-z])(?:Instagram|insta|TikTok|X|Twitter|Facebook|YouTube|LINE)(?![A-Za-z])|"
           r"ティックトック|エックス|ツイッター|フェイスブック|ユーチューブ|ようつべ|ブログ|ライン|ネット)")
_SNS = (rf"(?:{_SOCIAL}|ツイート|掲示板|2ch|5ch|2ちゃん|5ちゃん|口コミ|クチコミ|レビュー|食べログ|(?<![A-Za-z])Google(?![A-Za-z])|"
        r"グーグル|マスコミ|メディア|テレビ|新聞|週刊誌|雑誌|文春|ニュース|ネット上)")
_PROMOTE = r"(?:宣伝|紹介|投稿|拡散|PR|プロモーション|レビュー|口コミ|クチコミ|シェア|ポストし|ツイート|いいね)"
# Money that only the scheme promises for posting (not an ordinary refund).
_PAYMENT = (r"(?:報酬|謝礼|代金(?:を|も|は|と)?(?:全額|返|払|振|後で|あとで)|代金と|お金(?:が|を)?(?:もらえ|貰え|入|稼)|"
            r"キャッシュバック|紹介料|稼げ|稼ぐ|収入|日給|時給|高収入|手数料|立て替え|立替)")
_SCHEME_CONTEXT = (r"(?:報酬|houshu|hoshu|謝礼|稼げ|稼ぐ|収入|日給|案件|タスク|手数料|立て替え|立替|宣伝|紹介料|キャッシュバック|"
                   r"誘われ|勧誘|指定の|指示され|言われて(?:購入|注文|買)|LINEで|DMで|SNSで)")
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
         r"(?:店|会社|倉庫|事務所)(?:を|ごと)?(?:ぶっ)?壊し(?:てやる|に(?:行|い)く)|殺意(?:が|が湧|を)|死なす|しばく(?:ぞ|からな)|しばいたる|ボコす|ボコして",
         "ふざけんな、担当者殺すぞ"),
    Rule("arson", ABUSIVE, "urgent",
         r"燃やし(?:てやる|に(?:行|い)く|たる)|燃やすぞ|燃やすから|店(?:ごと)?燃やす|会社(?:ごと)?燃やす|"
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
    Rule("implied_violence", ABUSIVE, "urgent",
         r"夜道(?:に|は|には)気を(?:つけ|付け)|命(?:は|が)(?:ない|惜しく)|家族がどうなっても|どうなっても知らない(?:ぞ|からな)|"
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
         r"タスク(?:を|の)?(?:こなす|こなせ|案件|報酬|をこな)|(?:お)?小遣い稼ぎ|おこづかい稼ぎ|稼げる(?:仕事|案件|副業|バイト)|"
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
         "御社のアンバサダーに選ばれたとDMが来ました。本当ですか？", guarded=False),
    Rule("unpaid_reward", FRAUD_SCHEME, "high",
         r"(?:報酬|謝礼|紹介料|キャッシュバック|成果報酬|日給|給料|バイト代)(?:が|は|も|を)?\S{0,6}?"
         r"(?:(?:振り?込ま|入金さ|支払わ|払わ)れ(?:ない|ません|てない|ていない|ていません|てません|ず|なく)|"
         r"(?:入ら|もらえ|貰え|届か|来)(?:ない|ません|てない|ず|なく)|入って(?:い)?(?:ない|ません)|未払い)|"
         r"(?:houshu|hoshu)u? ga (?:furikomare|haira|moraena)",
         "報酬が振り込まれないんですけど、どうなってるんですか", guarded=False),
    Rule("lost_contact_with_agent", FRAUD_SCHEME, "high",
         r"(?<!配送)(?<!運送)(?<!宅配)(?<!配達)(?<!修理)(?<!回収)(?<!引越)(?<!運輸)(?<!物流)(?<!設置)(?<!工事)"
         r"(?<!清掃)(?<!委託)(?<!下請)(?<!引っ越し)(?<!リサイクル)(?<!買取)(?<!不用品)"
         r"(?:業者|仲介|紹介者|紹介してくれた人|案件の担当|LINEの(?:担当|相手|アカウント)|リーダー|主催者|運営者|コーチ|先生)"
         r"(?:さん)?(?:と|に|から|の)?\S{0,4}?(?:連絡が(?:取れ|とれ|つか|付か|来)(?:ない|ません|なく)|"
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
         r"(?:インフルエンサー|インフルエンサ|フォロワー|ﾌｫﾛﾜｰ|follower|YouTuber|ユーチューバー|TikToker|インスタグラマー)"
         r"\S{0,30}?(?:無料で|無償で|タダで|ただで|提供して|提供を|ギフティング|"
         r"紹介してあげ|宣伝してあげ|PRしてあげ|案件|無料提供|商品提供|コラボ|タイアップ|割引して|値引きして|半額に)",
         "フォロワー10万人のインフルエンサーです。商品を無料で提供していただければ紹介してあげます", guarded=False),
    Rule("follower_selling", FRAUD_SCHEME, "high",
         r"フォロワー(?:を|数を|数)?(?:販売|売り|売ります|買いませんか|買えます|購入|増やし(?:ます|ません|ませんか)|増やせ|水増し|"
         r"伸ばし(?:ます|ませんか))|"
         r"(?:フォロワー|いいね|再生数|レビュー)(?:の)?(?:購入|代行|水増し|買い取り)|サクラレビュー|やらせレビュー",
         "御社のアカウントのフォロワーを増やしませんか？1000人5000円です", guarded=False),
    Rule("suspected_scheme", FRAUD_SCHEME, "high",
         r"詐欺|騙され|だまされ|怪しい|あやしい|本当に御社|御社と(?:は)?関係|御社の(?:正式な|公式の)?(?:案件|企画|キャンペーン)|"
         r"(?:御社|貴社|そちら|この店|このショップ)(?:から|の)(?:依頼|委託|正式|公式|関係者|社員を名乗|担当を名乗)|名乗(?:る|って)",
         "SNSで宣伝すると報酬がもらえるというDMが来たのですが、詐欺でしょうか",
         requires=r"(?:報酬|副業|宣伝|モニター|アンバサダー|案件|紹介料|謝礼|稼げ|DM|インフルエンサー|フォロワー|指定の)",
         guarded=False),
    # ------------------------------------------------------------------
    # Excessive demands.
    # ------------------------------------------------------------------
    Rule("consolation_money", EXCESSIVE_DEMAND, "high",
         r"慰謝料|いしゃりょう|イシャリョウ|isharyou|isharyo|迷惑料|めいわくりょう|メイワクリョウ|meiwakuryou|meiwakuryo|"
         r"お詫び料|詫び料|精神的慰謝",
         "遅れたんだから慰謝料10万円払え"),
    Rule("mental_distress_compensation", EXCESSIVE_DEMAND, "high",
         r"精神的(?:な)?(?:苦痛|ショック|ダメージ|被害|損害)",
         "大変恐縮ですが精神的苦痛に対して30万円をお支払いいただけますでしょうか",
         requires=r"(?:補償|賠償|償|請求|払|支払|対価|代償|[0-9〇一二三四五六七八九十百千万]+\s*(?:円|万))"),
    Rule("dogeza", EXCESSIVE_DEMAND, "high",
         r"土下座|どげざ|ドゲザ|dogeza",
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
         r"懲戒|厳重(?:に)?処分|担当(?:を|者を)?外せ|"
         r"(?:担当者?|店員|社員|スタッフ|オペレーター|配達員|あいつ|そいつ|奴)(?:を|は)?(?:処分|処罰)(?:しろ|して|すべき|を(?:求め|要求))|"
         r"(?:担当者?|店長|社員|店員|スタッフ|オペレーター|配達員|[一-龥]{1,3}(?:さん|氏|って奴|ってやつ))の(?:クビ|首)(?!に(?:かけ|巻|つけ))|"
         r"kubi ni shiro",
         "対応した田中をクビにしろ"),
    Rule("multiple_refund", EXCESSIVE_DEMAND, "high",
         rf"倍返し|倍額(?:で|を)?\s*{_DEMAND_FORMS}|[0-9二三四五六七八九十百]+倍(?:の(?:金額|額)|に(?:して)?|で)?(?:を)?\s*{_DEMAND_FORMS}",
         "届かなかった分、倍返しで払え"),
    Rule("show_sincerity", EXCESSIVE_DEMAND, "high",
         r"誠意(?:を|は)?(?:見せ(?:ろ|て(?:みろ|もらお|もらう))|形に|形で|示せ|見せない)|誠意って(?:何|なに|わか|分か)|"
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
         r"日当|手間賃|迷惑かけた分|迷惑をかけた分|割増|上乗せ",
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
    # ------------------------------------------------------------------
    # Abuse without a demand: insults and harassment of staff.
    # ------------------------------------------------------------------
    Rule("insult", ABUSIVE, "high",
         r"(?<!ばか)(?<!バカ)(?:バカ|馬鹿|ばか|(?<![A-Za-z])baka(?![A-Za-z]))(?!に|高|たか|でか|売れ|正直|丁寧|らし|り|っ|ばか|バカ|げ|力|ぢから|みたい|になら|にな)|"
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
    # ------------------------------------------------------------------
    # Asks for a person.
    # ------------------------------------------------------------------
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
         r"お願い(?:します|したい|できますか|できません|です|[!！。]|$)|いる[?？]|いない(?:の|ん|[?？])|はいない)|"
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
    return bool(_REPORTED_BEFORE.search(text, s_start, match.start()))


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


def rule_hits(text: str, order_total: int | None = None) -> list[Hit]:
    """Every rule that fires on the (already normalised) text, with its evidence."""
    hits = []
    for rule, regex, requires in _COMPILED:
        for match in regex.finditer(text):
            if rule.guarded and (_negated(text, match) or _reported(text, match)):
                continue
            evidence = [match.group(0).strip()]
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
