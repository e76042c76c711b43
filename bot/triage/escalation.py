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
exceptions for them (they live in ``bot.triage.guards`` and
``bot.triage.amounts``; measuring quality on labelled sets is
``bot.triage.quality``):

* negation after the match in the same clause (晒すつもりはない, 慰謝料は要らない,
  土下座しろとは言いません);
* reported speech (SNSで晒すと言っている人がいた, 友達が〜って聞いた, 兄に「社長に
  謝罪させろ」って言われた): not a threat by the writer. Fraud rules ignore this guard on purpose: a customer
  asking about a scheme someone told them about is exactly who the fraud
  desk wants to talk to;
* amount rules (``amount_check``): compensation words (補償, 商品券, …) and
  demand verbs (払え, よこせ) only escalate when the demanded amount is far out
  of proportion — more than ``EXCESSIVE_RATIO`` times the order value when it
  is known, or at least ``UNKNOWN_ORDER_LIMIT`` yen when it is not. A refund
  up to the order value (a 15万円 laptop that arrived broken) never escalates.
  A very short sentence right after the demand that only names the sum
  (賠償してもらう。5万円です) counts as part of the demand's sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.kana import fold_kana
from bot.text import normalise, without_word_gaps
from bot.triage.amounts import COMPENSATION, REFUND, amounts_in, excessive_amount
from bot.triage.guards import guarded_anywhere, negated, no_person_wanted, not_involved, reported, sentence_around

EXCESSIVE_DEMAND = "excessive_demand"
ABUSIVE = "abusive"
FRAUD_SCHEME = "fraud_scheme"
HUMAN_REQUEST = "human_request"
NONE = "none"

REASONS = (EXCESSIVE_DEMAND, ABUSIVE, FRAUD_SCHEME, HUMAN_REQUEST)
SEVERITIES = ("normal", "high", "urgent")

# Fraud losses from this amount (sum of amounts the message mentions) are urgent.
URGENT_FRAUD_LOSS = 100_000

HUMAN_INTENT = "request_human"
# The language model's escalation intents (data/nlu/escalation.yml), one per reason.
INTENT_OF_REASON = {EXCESSIVE_DEMAND: EXCESSIVE_DEMAND, ABUSIVE: ABUSIVE, FRAUD_SCHEME: FRAUD_SCHEME,
                    HUMAN_REQUEST: HUMAN_INTENT}
REASON_OF_INTENT = {intent: reason for reason, intent in INTENT_OF_REASON.items()}
# The model alone escalates only when this sure; the rules need no confidence.
MODEL_ESCALATION_CONFIDENCE = 0.80
# A request for a person costs the customer little when wrongly sent to people, so the model's word is taken at
# less: from this confidence. Below it, on writers the model never saw (Z and E, 2026-12-03), it was mostly kana
# troubles read as requests: 「いやほん かたほう おとがでない」 at 0.52, 「納品書に 他の人の 電話番号 のってる」 at 0.55.
MODEL_HUMAN_REQUEST_CONFIDENCE = 0.60
EVIDENCE_OF_MODEL = "intent:"  # evidence items the language model gave, not words of the message


@dataclass(frozen=True)
class Escalation:
    """Whether a person must take the message, why, how fast, and the words that said so.

    ``rules`` names the rows of ``RULES`` that decided (empty when the
    language model decided alone); every one of them has this reason.
    """

    escalate: bool
    reason: str
    severity: str
    evidence: tuple[str, ...]
    rules: tuple[str, ...] = field(default=(), compare=False)

    @property
    def quoted(self) -> tuple[str, ...]:
        """The evidence quoted from the message (the model's judgement left out)."""
        return tuple(e for e in self.evidence if not e.startswith(EVIDENCE_OF_MODEL))

    @property
    def response(self) -> str:
        """The domain response that answers the customer.

        The reason's own answer says something about the message (that it is
        abusive, a demand, the SNS scheme: 188, stop paying), so it is given
        only when the message's own words back it: rows of the rule table, or
        for the scheme its words quoted as evidence. A model's judgement alone
        gets the plain hand-over, which claims nothing; the ticket still
        carries the model's reason for the agents. A request for a person
        needs no more than the request.
        """
        if self.reason == HUMAN_REQUEST or self.rules or (self.reason == FRAUD_SCHEME and self.quoted):
            return f"utter_escalated_{self.reason}"
        return f"utter_escalated_{HUMAN_REQUEST}"


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
                   r"保証金|違約金|登録料|何十万|何万円も|高額(?:な)?注文|止めたい|やめさせたい|"
                   r"(?:代金|お金|立て替え)\S{0,4}?(?:戻って|返って)(?:こな|来な|きま)|(?:購入|注文|買う)(?:する)?よう(?:に)?(?:言われ|指示|頼まれ))")
# Words of the scheme that back a fraud answer when the language model alone judged the message.
_SCHEME_WORDS = re.compile(_SCHEME_CONTEXT + r"|副業|モニター|アンバサダー|インフルエンサー|PR案件|案件|在宅ワーク|フォロワー",
                           re.IGNORECASE)
# The same words as they are written without a Japanese keyboard or in kana alone, read on the kana-folded text
# (モニター, ﾓﾆﾀｰ and もにたー alike), and the scheme's promise of money back or paid up front: writers D and AA
# (2026-12-03) wrote 「insuta de monitaa ni oubo」, 「ｶﾝﾀﾝ ﾌｸｷﾞｮｳ」, 「あとで おかね かえすって」, 「前金も払った」.
_SCHEME_WORDS_FOLDED = re.compile(
    r"もにたー|ふくぎょう|ほうしゅう|あんばさだー|いんふるえんさー|みっしょん|あふぃりえいと|前金|まえきん|えいじぇんと|えーじぇんと|"
    r"(?:あとで|後で|後から|あとから)\S{0,3}?(?:お金|おかね|代金|だいきん|全額|ぜんがく)\S{0,4}?(?:返|かえ|戻|もど)|"
    r"(?:お金|おかね)(?:が|を)?\S{0,2}?(?:もらえ|貰え)|"
    # writers AB and AC: 「いんすたの ひとに いわれて かった へんきん される って」「インスタの人が…お金をかえすと言いました」
    # 「お金は、後で、返すと、言われました」「「案件」で5万も払わされた」「brand partner」「get 150% back」
    # (a review of these the same day: 「インスタの人気商品」, 「Instagramの方で見たセール」, 「返金されるとメールに」,
    # 「返品の案件で払った送料」 and a refund of 100% back are not the scheme's words)
    r"(?:いんすた|insta(?:gram)?|てぃっくとっく|tiktok|sns|えすえぬえす|ついったー|twitter|ふぇいすぶっく|facebook|らいん)"
    r"(?:の|で(?:知り合った|しりあった))\s?(?:ひと|人(?!気|数)|かた|業者|あかうんと|担当)(?:が|に|から|と|は|\s)|"
    r"(?:お金|おかね|代金|だいきん)(?:は|も)?(?:あとで|後で|後から|あとから)\S{0,2}?(?:返す|かえす)(?:から|って|と)|"
    r"「案件」|案件で\S{0,8}?(?:払わされ|買わされ)|(?:お店|店)の\s?(?:お)?手伝いの?\s?(?:仕事|ばいと)(?:だ)?(?:と|って)[、,]?\s?(?:言|い)(?:われ|って)|"
    r"brand[- ]?partner|(?<![0-9])(?:1(?:0[1-9]|[1-9][0-9])|[2-9][0-9]{2})\s?%\s?back\b|"
    r"(?<![a-z])(?:monit(?:aa|a|or)|fukugyou?|hou?shuu?|mission|agency|ambassador|influencer|reimburse|commission|"
    r"side[- ]?(?:job|gig|hustle))(?![a-z])",
    re.IGNORECASE)
# 案件 alone is any business matter (「急ぎの案件です」 from someone posing as the police, A029 of the scripted
# conversations); it backs the model only where the scheme's 案件 is meant (PR案件, 副業の案件, 案件の報酬).
_SCHEME_CASE = re.compile(r"(?:PR|副業|モニター|紹介|宣伝|高額|簡単な|稼げる|お仕事|在宅|SNS|インスタ)(?:の)?案件|"
                          r"案件(?:の|で|に)?(?:報酬|紹介|参加|応募|募集|担当|こなし|をこな|購入|買|注文)", re.IGNORECASE)
# "If you post it / review it …": the condition the scheme pays on (載せたら, 紹介すれば, 書いてくれたら).
_POST_IF = (r"(?:(?:載せ|のせ|上げ|あげ)(?:たら|れば|ると|るだけで|ただけで|てくれたら|てもらえたら)|"
            r"(?:投稿|紹介|宣伝|PR|シェア|アップ|拡散)(?:したら|すれば|すると|するだけで|しただけで|してくれたら|してもらえたら)|"
            r"映(?:したら|せば|すと|すだけで)|書(?:いたら|けば|くと|くだけで|いてくれたら|いてもらえたら))")
# Conditions that turn a threat to post into a demand: "…しないなら晒す".
_CONDITION = (r"(?:ないなら|ダメなら|だめなら|駄目なら|ないんなら|ないのなら|なければ|なきゃ|なかったら|ないと|ない場合|ない限り|次第|"
              r"されたくなければ|されたくなかったら|嫌なら|いやなら|困るなら|困るでしょ|しだい|応じない|"
              r"しないうちは|するまで|くれるまで|もらうまで|くれたら(?:やめ|消)|(?:(?:くれ|もらえ|いただけ)(?:たら|れば)|(?:くれる|もらえる)(?:なら|んなら))\S{0,24}?(?:書か|載せ|晒さ|投稿し|拡散し|言いふらさ)ないで|払えば(?:消|やめ)|ば(?:消|削除|取り下げ))")
# Demand forms for multiples of the price ("倍返し").
_DEMAND_FORMS = (r"(?:返せ|返して|返金(?:しろ|して)|払え|払って(?:ください|下さい|ほしい|欲しい|もらう|もらい|くれ)|"
                 r"弁償|補償|よこせ|寄越せ)")

# Who works for the shop, as a customer names them (for rows about staff members' private details).
_STAFF = (r"(?:担当(?:者|の(?:方|人|者))?|責任者|対応(?:され|し|して(?:くれ|いただい|もらっ))た(?:方|人|者)|(?:お)?電話(?:に|で)?(?:出|対応され|対応し)た(?:方|人|者)|"
          r"オペレーター|スタッフ|店員|社員|配達員|ドライバー|店長|(?:返品|検品|梱包|発送|出荷)(?:の)?担当(?:者)?|"
          r"(?:梱包|検品|発送|出荷|配達|対応)した(?:人|方|者|奴|やつ|スタッフ))")
# A staff member's private life: home, where they live, face, family, private phone (their name is not here).
_PRIVATE_DETAIL = (r"(?:ご?自宅|お住まい|住んで(?:いる|る)(?:場所|ところ|所)|最寄り(?:の)?駅|(?:お)?顔(?:の)?写真|ご?家族|"
                   r"個人(?:の|的な)?(?:携帯(?:番号)?|電話番号|連絡先|LINE|SNS|アカウント)|プライベート(?:の)?(?:連絡先|携帯(?:番号)?|LINE)|生年月日)")
# Asking, in the forms that ask of the shop (教えますので, the customer giving, is not one).
_POLITE_REQUEST = (r"(?:教えて(?:ください|下さい|くれ|いただ|頂|もらえ|ほしい|欲しい)|お教え(?:ください|下さい|いただ|願)|教えろ|"
                   r"(?:いただ|頂)け(?:ます|ません)か|お知らせ(?:ください|下さい|いただ|願)|送って(?:ください|下さい|いただ|ほしい|くれ)|"
                   r"お送り(?:ください|下さい|いただ)|開示(?:して|しろ|を)|公開(?:して|しろ))")
# A phone talk that is over is no request for one: 「先日お電話でお話しした方」「電話で相談して解決しました」.
_PAST_CALL = (r"(?!を受け|を聞い|し?した(?!い)|し?しました|してもらった|され|し(?:て|た)\S{0,3}?解決|"
              r"しさせて(?:いただ|頂)いた|させて(?:いただ|頂)いた)")
# Somebody at the shop, as the owner of a home or workplace a threat says is known (お前の家, 担当者の自宅).
_WHOSE = r"(?:お前|おまえ|あんた|てめえ|担当者?|オペレーター|店員|スタッフ|社員|君|きみ|あいつ|そいつ|あの(?:子|男|女|人))"
# Said as what the writer will do, not asked or regretted (「かけ続けるしかないのでしょうか」).
_WILL_DO = r"(?:から|ぞ|よ|わ|ので|ね|[。!！]|$)"

RULES: tuple[Rule, ...] = (
    # ------------------------------------------------------------------
    # Threats of violence: abusive, urgent (highest priority of all).
    # ------------------------------------------------------------------
    Rule("kill", ABUSIVE, "urgent",
         r"(?<![相黙])(?:ぶっ|ぶち)?殺(?:す|して(?:やる|やろ)|しに(?:行|い)く|したる|すぞ)(?!気)|ぶっころ|(?<![とこ])ころす(?!気)|"
         r"コロス|korosu|ぶっ殺|殺したい|殺した(?:ろ|る)|ころ(?:したろ|したる|してやる|すぞ)|殺されたい|殺害|死んでもらう|首を絞め|ぶっ刺|車で突っ込|"
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
         r"(?:ぶん|ぶっ)?殴(?:る(?!い)|りに|ってやる|り込み|りこみ|ったる)|ぶん殴|ぶっ(?:飛|と)ば(?:す|したい|したる|したろ|してやる)|"
         r"ボコボコに(?:する|して|したる|したろ|しに)|ボコ(?:る|りに)|しばき(?:に|倒)|襲(?:う(?!わ)|撃|いに)|"
         r"殴り込|カチコミ|殴らせ(?:て|ろ)|一発(?:殴|ぶん殴|入れ(?:て(?:やる|やろ)|たる|たろ))|ぶちのめ|血祭り|半殺し|八つ裂き",
         "配達員見つけたらぶん殴る"),
    Rule("violence_dialect_and_slang", ABUSIVE, "urgent",
         r"いてまう|いてこま|どつ(?:く|いたる|いたろ|きまわ|き回)|くらす(?:ぞ|けん)|しばき回|"
         r"(?:海|湾|川)に沈め|沈め(?:たる|たろ|てやる)|(?:山|土)に埋め|埋め(?:たる|たろ|てやる|るぞ)|タマ(?:取|とっ|とる)|"
         r"(?:殺|ころ)(?:ったる|ったろ)|奥歯(?:ガタガタ|がたがた)|いわ(?:したろ|したる|すぞ|してまう)|シメ(?:たる|たろ|てやる|るぞ)|しめ(?:たる|たろ)(?:か)?|ヤキ(?:を)?入れ|焼きを入れ",
         "今度そっちの倉庫行っていてまうぞ"),
    Rule("violence_in_english", ABUSIVE, "urgent",
         r"\bI(?:'ll|\s+will|'m going to|'m gonna|\s+am going to|\s+gonna)\s+(?:kill|hurt|stab|shoot|burn|beat|find)\b|"
         r"\bkill (?:you|u|your)\b|\bburn (?:down )?your\b|\bbomb your\b|\bwatch your back\b|\bknow where you (?:live|work)\b",
         "I know where you work. Watch your back."),
    # The same intimidation in English, without violence named (writer G): the staff member's full name, office or
    # home demanded, "I'll deal with her myself", her LINE asked for.
    Rule("staff_details_demanded_in_english", ABUSIVE, "high",
         r"\b(?:tell|give|send|show)\s+me\s+(?:her|his|the\s+(?:staff|agent|operator|employee)(?:'s)?)\s+"
         # her name alone may be asked (to thank her), and a driver's or a department's number to arrange a delivery;
         # her full name, home, private phone or LINE may not
         r"(?:(?:full|real|last)\s+name|home\s+address|(?:personal|private)\s+(?:phone(?:\s+number)?|number|contact|email)|LINE|instagram|insta)\b|"
         r"\bdeal\s+with\s+(?:her|him|them|you)\s+(?:myself|personally|in\s+person)\b",
         "Tell me her full name and which office she works at. I'll deal with her myself."),
    Rule("implied_violence", ABUSIVE, "urgent",
         r"夜道(?:に|は|には)気を(?:つけ|付け)|痛い目(?:を|に)?(?:見|み|あ|遭)(?:ない|せ|わせ|る)|命(?:は|が)(?:ない|惜しく)|家族がどうなっても|どうなっても知らない(?:ぞ|からな)|"
         r"無事で(?:済|す)むと思うな|無事(?:じゃ|では)(?:済|す)まない|痛い目(?:に|を)(?:あわせ|合わせ|見せ|みせ)|"
         r"命の保証|血を見る|(?:生きて|無事に|無事で|五体満足で|タダで|ただで)(?:帰|かえ)れると思う(?:な|なよ)",
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
         r"タスク(?:を|の)?(?:全部)?(?:こなす|こなせ|こなし|案件|報酬|をこな|完了|終わ|クリア|達成)|(?:お)?小遣い稼ぎ|おこづかい稼ぎ|稼げる(?:仕事|案件|副業|バイト)|"
         r"(?:楽|らく|簡単|かんたん)に稼げ|スマホ(?:1台|一台|だけ)で稼|副収入|不労所得",
         "副業で御社の商品を買って宣伝すれば報酬がもらえると聞いたのですが",
         requires=rf"(?:{_SCHEME_CONTEXT}|いわれ|とうろくりょう|ほうしゅう|せんでん|さそわれ|保険証|身分証|免許証|口座番号|御社の(?:方|人|社員))",
         guarded=False),
    Rule("monitor_job", FRAUD_SCHEME, "high",
         r"(?:商品|購入|体験|レビュー|SNS)モニター|モニター(?:案件|募集|の(?:お)?仕事|バイト|報酬|登録|会員|応募|"
         r"に(?:応募|選ばれ|当選|登録|なれ|なって|なり)|として(?:購入|買|参加|登録|選ばれ|採用|商品を)|"
         r"価格で買えば|特典|契約)|モニター(?:を)?(?:やったら|やれば|やると|すれば|したら|になれば|になったら|やって)|"
         r"モニター(?:の)?\s?(?:月額)?\s?(?:会員費|会費|登録料|月額)|monit(?:aa|a-|a|or)\s?(?:de|to ?shite)\s?(?:katt|kaw|kau|kaim|chuumon|kounyuu)",
         "モニターに選ばれたので商品を購入しましたが、報酬がまだです", guarded=False),
    Rule("ambassador", FRAUD_SCHEME, "high",
         r"アンバサダー|ambassador|anbasad[aā]+|公認(?:ブランド)?(?:パートナー|インフルエンサー|クリエイター|サポーター)|ブランドパートナー|公式(?:パートナー|サポーター|クリエイター)",
         "御社のアンバサダーに選ばれたとDMが来ました。本当ですか？",
         requires=r"(?:選ばれ|選出|任命|DM|募集|報酬|案件|なりませんか|になって|になれ|登録|招待|スカウト|本当|詐欺|購入|買って|稼|契約|"
                  r"身分証|免許証|保険証|口座|個人情報|会費|月額|手数料|お店の人|御社の(?:方|人)|応募|公式|言われ|買った|払っ|"
                  r"お金|キャッシュバック|第[0-9一二三]段階|"
                  r"\bprogram|\bjoin|\bbought|\bbuy|\bpaid|\bfee\b|\brefund|\brecruit|\binvit|\bselected|"
                  r"sasow|touroku|keiyaku|haratt|honmono|honto)",
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
         r"連絡が(?:取れ|とれ|つか|付か)(?:ない|ません|なく)|音信不通|ブロック(?:され|して(?:き|く))|LINE(?:が|の)?(?:消え|アカウントが消)|"
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
         r"(?:インフルエンサー|インフルエンサ|フォロワー|ﾌｫﾛﾜｰ|follower|(?:チャンネル)?登録者|視聴者|リスナー|ブロガー|YouTuber|ユーチューバー|TikToker|ティックトッカー|インスタグラマー)"
         r"\S{0,30}?(?:無料で|無償で|タダで|ただで|提供して|提供を|ギフティング|"
         r"紹介してあげ|宣伝してあげ|PRしてあげ|案件|無料提供|無償提供|商品提供|コラボ(?!商品|アイテム|グッズ|モデル)|タイアップ|割引して|値引きして|半額に)",
         "フォロワー10万人のインフルエンサーです。商品を無料で提供していただければ紹介してあげます", guarded=False),
    Rule("follower_selling", FRAUD_SCHEME, "high",
         r"フォロワー(?:を|数を|数)?\S{0,6}?(?:販売|売り|売ります|買いませんか|買えます|購入|増やし(?:ます|ません|ませんか)|増やせ|水増し|"
         r"伸ばし(?:ます|ませんか))|"
         r"(?:フォロワー|いいね|再生数|レビュー)(?:の)?(?:購入|代行|水増し|買い取り)|サクラレビュー|やらせレビュー|"
         r"フォロワー\S{0,8}?(?:保証|確約)|バズらせ|(?:いいね|再生数|再生回数|登録者)(?:を|数を)?(?:増やす|増やせる|増やします|増やしませんか)|"
         r"[0-9]+\s?(?:いいね|フォロワー|再生)\s?[0-9,]+\s?円|一斉投稿|(?:SNS|アカウント)(?:の)?運用(?:します|しませんか|いたします)|(?:フォロワー|いいね)(?:を|数を)?増やす(?:お手伝い|サービス|方法)|(?:アカウント|フォロワー)(?:も|を)?伸ばせ|インフルエンサー[0-9]+人",
         "御社のアカウントのフォロワーを増やしませんか？1000人5000円です", guarded=False),
    Rule("suspected_scheme", FRAUD_SCHEME, "high",
         r"詐欺|騙され|だまされ|怪しい|あやしい|本当に御社|御社と(?:は)?関係|御社の(?:正式な|公式の)?(?:案件|企画|キャンペーン)|"
         r"(?:御社|貴社|そちら|この店|このショップ)(?:から|の)(?:依頼|委託|正式|公式|関係者|社員を名乗|担当を名乗)|名乗(?:る|って)|"
         r"(?:ここ|こちら|このお店)(?:の会社さん|の会社|のお店)?の(?:依頼|企画|案件|キャンペーン)",
         "SNSで宣伝すると報酬がもらえるというDMが来たのですが、詐欺でしょうか",
         requires=r"(?:報酬|副業|宣伝|モニター|アンバサダー|案件|紹介料|謝礼|稼げ|DM|インフルエンサー|フォロワー|指定の|購入代行|提携)",
         guarded=False),
    Rule("scheme_vocabulary", FRAUD_SCHEME, "high",
         r"報酬|コミッション|(?<![A-Za-z])commission|出金|保証金|高収入|高額報酬|日給|タスク|案件|ランクアップ|"
         r"代理購入|購入代行|買い物代行|立て替え|立替|紹介料",
         "LINEのグループの指示で購入するタスクを3件こなしましたが、出金できません",
         requires=r"(?:指示|言われ|誘われ|勧誘|LINE|DM|グループ|副業|在宅|宣伝|スクショ|紹介され|担当者から|先生|アシスタント|(?:もらえる|稼げる|入る)(?:って|と))",
         guarded=False),
    # Papers handed to the scheme's "agent": 「副業の人に銀行口座とマイナンバーカードの写真送っちゃった」.
    Rule("papers_sent_to_scheme", FRAUD_SCHEME, "high",
         r"(?:副業|モニター|アンバサダー|案件|ミッション|PR|宣伝の(?:仕事|バイト))\S{0,14}?"
         r"(?:マイナンバー|免許証|身分証|保険証|口座|通帳|カード(?:の)?番号|パスワード|暗証番号)\S{0,16}?"
         r"(?:送っ|送り|送信|教え|渡し|登録し|提出|撮って)",
         "副業の人に銀行口座とマイナンバーカードの写真送っちゃった", guarded=False),
    Rule("purchase_missions", FRAUD_SCHEME, "high",
         r"ミッション|mission",
         "購入代行ミッションで買った商品の報酬がまだです",
         requires=r"(?:報酬|ほうしゅう|houshu|reward|コミッション|手数料|出金|ランク|タスク|クリア|達成|言われ|いわれ|指示|代行|副業|ふくぎょう|"
                  r"買った|かった|購入|注文)", guarded=False),
    Rule("scheme_in_english", FRAUD_SCHEME, "high",
         r"(?<![A-Za-z])(?:side (?:job|hustle)|tasks?|commissions?|rewards?|bonus(?:es)?|recruit\w*|whatsapp|telegram|influencer|free products?|"
         r"affiliate\w*|missions?|"
         r"collab\w*|sponsor\w*)(?![A-Za-z])",
         "Someone on WhatsApp offered me a side job: buy from your shop, post a review, get a commission",
         requires=r"(?:\bbuy|\bbought|\border|\bpurchas|\bpromot|\breview|\bpost|\bfree\b|\bfeature|\bsend me|\bshout ?out|\bcollab|"
                  r"\bID\b|\bsent (?:them|my)|\bjoined|\bfee\b|注文|購入|買っ)", guarded=False),
    Rule("scheme_bait", FRAUD_SCHEME, "high",
         r"高額報酬|高収入|儲か(?:る|ります)(?:仕組み|って|と|方法|話)|稼げる(?:って|と)(?:言|聞|教|誘)|誰でも(?:簡単に)?稼げ|(?:楽|らく|簡単|かんたん)に稼|(?:買い物|購入|注文)するだけで\S{0,4}?(?:稼|報酬|お金|お小遣い)|"
         r"報酬(?:が|を)?(?:引き出せ|出金でき|受け取れ)(?:ない|ません)|(?:ノルマ|ランク)(?:を)?(?:達成|上げ)\S{0,12}?報酬|"
         r"(?:仕事|副業|バイト|案件)(?:として|の一環で|の一環として)(?:購入|注文|買)|"
         r"(?:誰|高校生|主婦|学生|初心者|未経験)(?:でも|OK)\S{0,4}?(?:でき|稼げ)(?:る|ます)(?:バイト|仕事|お仕事|副業|案件|ワーク)|"
         r"(?:バイト|仕事|案件|副業)\S{0,24}?買わされ|(?:無料で|タダで)(?:もらえる|貰える)(?:仕事|バイト|案件)|"
         r"(?:月|日給|日当|月収)\s?[0-9]+万(?:円)?(?:以上)?(?:の|が|可能|も)(?:仕事|副業|バイト|稼|案件)|"
         r"(?:宣伝|PR|紹介|レビュー|投稿)(?:してくれる|する)(?:人|方)(?:を)?(?:募集|探して)|"
         r"(?:お金を)?稼(?:ぐ|げる)(?:方法|ため)(?:として|に|で)?\S{0,20}?(?:買|購入|注文)|(?:月|週|日|1日|一日)\s?[0-9,]+\s?(?:万|千)?\s?円?(?:以上|も)?稼げ",
         "高額報酬につられて注文してしまいました", guarded=False),
    Rule("buy_first_repaid_later", FRAUD_SCHEME, "high",
         r"(?:応募|登録)(?:したら|すると|した後)\S{0,16}?(?:買う|購入する|注文する)(?:よう|ように)|"
         r"先に(?:購入|買|立て替え|注文)(?:して|する|う)?(?:よう|ように)(?:に)?(?:言われ|指示|頼まれ)|"
         r"(?:後で|あとで|後から|あとから|後日)(?:お金|代金|全額|購入代金|商品代)(?:を|が|は)?(?:返|戻|振|払)",
         "インスタのPRで商品を買ったら、後でお金を返してもらえるって言われたんです",
         requires=r"(?:PR|宣伝|投稿|副業|案件|インスタ|SNS|TikTok|DM|モニター|タスク|仕組み|報酬|仕事|バイト|応募|稼)", guarded=False),
    Rule("influencer_asks_free_goods", FRAUD_SCHEME, "high",
         r"(?:(?:紹介|宣伝|PR|投稿|レビュー|掲載)(?:する|します|して(?:あげる)?|させて(?:もらう|いただく|いただける)|したい|しますから|しますので)?"
         r"(?:代わりに|ので|んで|から)|(?:紹介|宣伝|PR|投稿|掲載)すれば)\S{0,24}?"
         r"(?:無償|無料|タダ|サンプル|商品(?:を)?(?:[0-9]+点|いくつか|何点か|何個か|少し)?(?:いただ|ください|下さい|送って|お送り|提供))",
         "フォロワー3万人います。PRさせてもらう代わりに商品いただけますか", guarded=False),
    Rule("prize_scam", FRAUD_SCHEME, "high",
         r"(?:当選|当たった|懸賞)\S{0,24}?(?:送料|手数料|カード番号|口座|暗証|個人情報|払って|払え|振り?込)",
         "当選したので手数料を払えと言われましたが、本当に御社のキャンペーンですか", guarded=False),
    Rule("pay_per_action", FRAUD_SCHEME, "high",
         r"(?:いいね|フォロー|スクショ|タップ|クリック|シェア|リポスト|リツイート)(?:を)?(?:する|送る|押す)?だけで|"
         r"(?:1|一)(?:件|投稿|回|レビュー)(?:につき|あたり|ごとに)\S{0,4}?[0-9]+\s?円|"
         r"(?:投稿|動画|記事|レビュー|口コミ|ジョブ|タスク|いいね|高評価|★5|星5)\s?(?:1|一)\s?(?:本|件|回|つ)\s?(?:につき|あたり|当たり|ごとに)?\s?[0-9,]+\s?円|"
         r"(?:買って(?:くれ)?たら|購入(?:して(?:くれ)?)?たら|注文(?:して(?:くれ)?)?たら|買えば|購入すれば|注文すれば)\S{0,12}?"
         r"(?:倍にして(?:返|戻)|倍返し|倍で返|報酬|利益|儲|稼|上乗せ|割増|[0-9一二三四五]割(?:増し|上乗せ))|"
         r"(?:買え|購入すれ|注文すれ)ば\S{0,12}?(?:返金|戻って|返って|キャッシュバック|報酬|稼)",
         "いいねするだけで1日5000円稼げるって言われて、まずここで商品を買うよう指示されました", guarded=False),
    Rule("impersonation", FRAUD_SCHEME, "high",
         r"(?:偽|ニセ|にせ)(?:の|物の)?(?:アカウント|公式|担当者?|社員|インフルエンサー|LINE)|なりすまし|成りすまし|"
         r"(?:公式|社員|担当者?|スタッフ)(?:だ)?(?:と|を)名乗",
         "御社の社員を名乗るアカウントからDMで案件の紹介が来ました", guarded=False),
    # The shop's name used by someone else is the scheme only with the scheme's words: a mail or call in the shop's
    # name that asks for a card number is phishing (privacy_concern), which the bot answers itself.
    Rule("shop_name_used_for_scheme", FRAUD_SCHEME, "high",
         r"(?:御社|貴社|そちら|お店|まどぐち)(?:さん)?の(?:名前|名義|ロゴ)(?:で|を使って)",
         "御社の名前で「ミッション完了、次は3万円分購入で報酬5万円」というLINEが来ました",
         requires=_SCHEME_CONTEXT + r"|副業|モニター|アンバサダー|ミッション|PR案件", guarded=False),
    # 「あんたらの名前使ってる「案件」で5万も払わされた」 (writer AC): the shop's name used, said in any voice, with the
    # scheme itself in the message (a sticker with the shop's logo recommended by a friend is no scheme).
    Rule("shop_name_used_in_any_voice", FRAUD_SCHEME, "high",
         r"(?:御社|貴社|そちら|お店|まどぐち|あんたら|あなたたち|おたく|お宅)(?:さん)?の(?:名前|名義|ロゴ)(?:を)?使(?:って|った|ってる)",
         "おたくの名前使った案件で3万払わされた",
         requires=r"(?:案件|副業|報酬|モニター|アンバサダー|ミッション|払わされ|勧誘|キャッシュバック)", guarded=False),
    Rule("promotion_job", FRAUD_SCHEME, "high",
         r"(?:宣伝|PR|紹介|レビュー|口コミ|投稿)(?:する|の)?(?:お仕事|仕事|バイト|ワーク|副業)|購入代行(?:の)?(?:仕事|副業|バイト)|"
         r"(?:買って|購入して|買い物して|お買い物して)(?:SNSで|インスタで|ネットで)?(?:宣伝|紹介|投稿|PR)|"
         r"(?:簡単|かんたん|主婦でもできる|誰でもできる)(?:な)?ワーク|(?:レビュー|口コミ|感想)(?:記事)?(?:を)?書く(?:お)?(?:仕事|バイト|副業)|"
         r"(?:ネット|SNS|インスタ|LINE|TikTok|ティックトック|スマホ)の(?:お)?(?:仕事|バイト)(?:だと|だって|と|って)(?:言|い)って|"
         r"(?:ネット|SNS|インスタ|LINE|TikTok|ティックトック|スマホ)の(?:お)?(?:仕事|バイト)で(?:買|購入|注文)",
         "おばあちゃんが「ネットでお買い物して宣伝するお仕事」を始めたと言っています", guarded=False),
    Rule("recruited_by_stranger", FRAUD_SCHEME, "high",
         r"(?:LINE|DM|インスタ|SNS|知らない人|見知らぬ人|マッチングアプリ|知り合った人|オープンチャット|オプチャ|Telegram|テレグラム|WhatsApp)"
         r"(?:の(?:グループ|オープンチャット))?\S{0,10}?(?:誘われ|勧誘され|紹介され(?!て(?:い|た|る))|指示が来|指示され|頼まれ)|知り合った\S{0,10}?(?:に|から|の)(?:言われ|勧められ|誘われ|頼まれ|指示|紹介)",
         "LINEで知らない人に誘われて、ここで商品買ったんだけど、これって詐欺？", guarded=False),
    Rule("refund_for_post", FRAUD_SCHEME, "high",
         r"(?:1[0-9]{2}|[2-9][0-9]{2})\s?%\s?(?:の)?(?:返金|還元|キャッシュバック|戻)|"
         r"(?:スクショ|スクリーンショット|感想|レビュー|投稿|宣伝|口コミ)(?:を)?\S{0,4}?(?:送れば|送ったら|送ると|投稿すれば|投稿すると|書けば|書くと|書いたら|上げれば|載せれば|載せると|すれば|すると)"
         r"\S{0,12}?(?:返金|報酬|キャッシュバック|全額|稼|儲|(?:代金|お金)\S{0,4}?(?:戻|返|振))",
         "購入して感想を投稿すれば購入額の120％返金って聞いたんですけど", guarded=False),
    Rule("upfront_fee", FRAUD_SCHEME, "high",
         r"保証金|登録料|違約金|前払い金|手数料(?:を)?(?:払|振り?込|先に)|参加費|入会金|初期費用|認定料",
         "報酬振込の前に「保証金」を払えと言われました",
         requires=r"(?:報酬|副業|案件|タスク|宣伝|在宅|指示|業者|サイトの|ギフティング|アンバサダー|モニター|PR|インフルエンサー|当選|パートナー|募集)", guarded=False),
    Rule("fake_review_selling", FRAUD_SCHEME, "high",
         r"(?:レビュー|口コミ|クチコミ|★5|星5)(?:を)?\S{0,6}?(?:[0-9]+件|代行|増やします|増やせます|格安で)|"
         r"(?:口コミ|クチコミ|レビュー|SNS運用|運用)代行|ステマ|ステルスマーケティング|やらせ投稿|サクラ(?:レビュー|投稿|として|を募集|のバイト)|"
         r"サクラ(?:で|として)\S{0,6}?(?:高評価|★|星|レビュー|口コミ|評価)|高評価(?:を)?(?:つけ|付け)(?:ます|ましょうか)",
         "★5レビューを100件、格安で書きます", guarded=False),
    Rule("free_goods_for_post", FRAUD_SCHEME, "high",
         r"(?:紹介|宣伝|PR|投稿)(?:する|させていただく)?(?:代わりに|ので|んで)\S{0,24}?(?:無償|無料|タダ)|"
         r"再生(?:確約|保証)\S{0,12}?(?:無料|無償|タダ)",
         "御社商品を弊社アカウントで紹介する代わりに、商品を10点無償でお送りください", guarded=False),
    # 「An 'agency' on Instagram told me to buy your earbuds and post about them, they'd refund everything」 (writer G);
    # posting is posting about it (a faulty cable posted back for a refund is a return).
    Rule("told_to_buy_and_post_in_english", FRAUD_SCHEME, "high",
         r"\b(?:told|asked|instructed)\s+(?:me|us)\s+to\s+(?:buy|purchase|order)\b.{0,60}?"
         r"\bpost(?:ed|ing)?\s+(?:about|a\s+(?:story|review|photo|picture|video|reel)|(?:it|them|photos?|pictures?)\s+on)\b"
         r".{0,60}?\b(?:refund|reimburs|pay\s+(?:me|us)|paid|reward|commission)\w*",
         "They told me to buy three bags and post a story about them, then they would reimburse me."),
    Rule("scheme_in_english_or_romaji", FRAUD_SCHEME, "high",
         r"(?:buy|purchase|order)\w*\b.{0,60}?\b(?:promote|post|review)\w*\b.{0,60}?\b(?:commission|reward|paid|payment)|"
         r"houshuu?|hoshuu?|fukugyou?|senden",
         "I was told to buy products on this site and promote them on Instagram for a commission",
         requires=r"(?:commission|promo|senden|chuumon|kaw|kat|kaimash|tame|houshu|hoshu|sasow|sasoi|iware|touroku|henkin|haratt|"
                  r"shigoto|honto)", guarded=False),
    Rule("paid_if_posted", FRAUD_SCHEME, "high",
         r"(?:スクショ|スクリーンショット|写真|画像)(?:を)?\S{0,4}?送って(?:くれ|もらえ)たら\S{0,12}?(?:全額|報酬|謝礼|キャッシュバック|お礼)|"
         rf"(?:{_SOCIAL}(?:の\S{{0,6}}?)?(?:に|で|へ)?\S{{0,8}}?|(?:レビュー|口コミ|クチコミ|感想)(?:を)?\S{{0,4}}?){_POST_IF}"
         r"\S{0,12}?(?:返金|返して|返す|返って|お返し)|"
         rf"{_POST_IF}\S{{0,12}}?"
         r"(?:紹介料|上乗せ|倍(?:にして|で|の)?(?:返|戻)|全額(?:返金|キャッシュバック|お返し|戻)|(?:全部|全額|代金|商品代)(?:が|は)?(?:タダ|無料)|キャッシュバック|報酬|謝礼|お金(?:が|を)?(?:もらえ|貰え|入|返|戻)|"
         r"(?:代金|商品代|購入代金)\S{0,4}?(?:戻|返|振|キャッシュバック|無料|タダ)|(?:1|一)\s?(?:回|件|本|投稿)(?:につき|あたり)?\s?[0-9,]+\s?円|"
         r"[0-9,]+\s?円(?!(?:分の)?(?:クーポン|ポイント|OFF|オフ|割引|引))(?:が|を)?(?:もらえ|貰え|入|振り?込|くれ|稼))",
         "インスタに載せたら全額返金って言われたんですけど、いつ返金されますか", guarded=False),
    Rule("paid_if_posted_in_romaji", FRAUD_SCHEME, "high",
         r"(?:insta|sns|tiktok|twitter|x)\s?ni\s?(?:agetara|agereba|nosetara|nosereba|toukou ?shitara|toukou ?sureba)\b",
         "insta ni agetara zengaku henkin tte iwareta kedo honto?",
         requires=r"(?:henkin|hensai|houshu|hoshu|okane|zengaku|moraeru|furikom)", guarded=False),
    Rule("promotion_gig_words", FRAUD_SCHEME, "high",
         r"(?:PR|企業|宣伝|ギフティング|インスタ|TikTok|SNS|YouTube|インフルエンサー|副業|在宅|稼げる|高額)案件|"
         r"(?:案件|タスク)(?:で|として|の一環で)\S{0,12}?(?:購入|買|注文)|案件の(?:報酬|謝礼|入金|振込|支払)|広告塔(?:に(?:なって|なれ|なる)|として)|"
         r"ギフティング(?:の(?:お)?話|案件|枠|企画|に選ばれ|の(?:ご)?案内|のお誘い|の依頼|として)",
         "PR案件でこちらの商品を購入しました。担当の方から商品代金は後日返金と聞いています", guarded=False),
    Rule("scheme_payout_steps", FRAUD_SCHEME, "high",
         r"(?:代金|商品代|購入代金|購入額)\s?(?:\+|と|に加えて|プラス)\s?(?:お礼|報酬|謝礼|ボーナス|利益)|"
         r"(?:スクショ|スクリーンショット)(?:を)?提出|→\s?スクショ|スクショ\s?→|"
         r"(?:商品代|代金|購入代金)(?:は|を)?(?:こっち|こちら|うち|弊社|先方|相手|その人)(?:で|が)(?:持つ|負担|払う)",
         "「購入→スクショ提出→翌日に代金＋お礼が戻る」ってやつ、3回目から何も戻ってきません", guarded=False),
    Rule("posts_in_exchange_for_goods", FRAUD_SCHEME, "high",
         r"(?:紹介|宣伝|PR|投稿)(?:します|しますね|しますよ|してあげ|させて)\S{0,6}?(?:その代わり|代わりに)\S{0,14}?(?:送って|提供|無料|無償|タダ|ください)|"
         r"(?:書く|書きます|載せる|載せます|投稿する|投稿します|紹介する|紹介します|宣伝する|宣伝します)(?:ので|から|んで)\S{0,8}?"
         r"(?:商品|サンプル)(?:を)?(?:ください|下さい|くれ|送って|提供)",
         "相互フォローしてくれたら御社の商品をストーリーで紹介しますね。その代わり何点か送ってください", guarded=False),
    Rule("reshipping", FRAUD_SCHEME, "high",
         r"(?:転送|別の住所|指定の(?:住所|倉庫|場所)|指定された(?:住所|倉庫|場所)|知らない住所)\S{0,12}?(?:頼まれ|指示|言われ)|"
         r"(?:頼まれ|指示され|言われ)\S{0,12}?(?:転送|別の住所|指定の住所)|(?:届いた|受け取った)(?:商品|荷物)(?:を)?\S{0,10}?転送",
         "注文した商品を別の住所に送るよう頼まれてるんですが、大丈夫ですか？頼んできた人とはSNSで知り合いました",
         requires=r"(?:案件|頼まれ|指示|言われ|SNS|知り合|報酬|バイト|副業)", guarded=False),
    Rule("proxy_purchase_for_fee", FRAUD_SCHEME, "high",
         r"(?:代わりに|代理で|代理として)(?:購入|買|注文)",
         "バイト先の人に紹介されて、御社の商品を代わりに購入してます。手数料はいつもらえますか",
         requires=r"(?:手数料|報酬|謝礼|紹介料|案件|バイト|副業|紹介され)", guarded=False),
    Rule("fake_orders", FRAUD_SCHEME, "high",
         r"空注文|架空注文|やらせ注文|水増し注文|注文(?:数|件数)(?:を)?(?:増や|水増)|売上(?:を)?(?:上げる|伸ばす|作る)(?:仕事|バイト|お仕事|作業|案件)",
         "ネットショップの売上を上げる仕事って言われて、ここで空注文みたいなことをさせられてる気がする", guarded=False),
    # ------------------------------------------------------------------
    # Excessive demands.
    # ------------------------------------------------------------------
    Rule("consolation_money", EXCESSIVE_DEMAND, "high",
         r"慰謝料|口止め料|いしゃりょう|イシャリョウ|isharyou|isharyo|迷惑料|めいわくりょう|メイワクリョウ|meiwakuryou|meiwakuryo|"
         r"お詫び料|詫び料|精神的慰謝|金一封|見舞金を包|お?見舞(?:い)?金(?:を|も)\S{0,6}?(?:お支払い(?:ください|下さい|いただきた|願)|払(?:え|って(?:ください|下さい|ほしい|欲しい|もらう|くれ))|ください|下さい|よこせ|請求(?:します|する|させ))|(?:カネ|金)(?:だよ|を出せ|出せ)|示談|解決金|和解金|迷惑代",
         "遅れたんだから慰謝料10万円払え"),
    Rule("mental_distress_compensation", EXCESSIVE_DEMAND, "high",
         r"精神的(?:な)?(?:苦痛|ショック|ダメージ|被害|損害)",
         "大変恐縮ですが精神的苦痛に対して30万円をお支払いいただけますでしょうか",
         requires=r"(?:補償|賠償|償|請求|払|支払|対価|代償|[0-9〇一二三四五六七八九十百千万]+\s*(?:円|万))"),
    Rule("dogeza", EXCESSIVE_DEMAND, "high",
         r"土下座|どげざ|ドゲザ|dogeza|跪(?:け|いて(?:謝|詫))|ひざまず(?:け|いて(?:謝|詫))|"
         r"(?:頭|額|おでこ|デコ)(?:を)?(?:地面|床|畳|地べた|土)(?:に)?(?:こすり|擦り)?(?:つけ|付け)|"
         r"(?:地面|床|地べた|畳)に(?:頭|額|おでこ)(?:を)?(?:こすり|擦り)?(?:つけ|付け)",
         "責任者が土下座して謝れ"),
    Rule("president_apology", EXCESSIVE_DEMAND, "high",
         r"(?:社長|シャチョウ|しゃちょう|代表取締役|代表者?|会長|CEO|役員|取締役|本部長|経営者|トップ)(?:の|が|から|に|自ら|直々に|本人)?\S{0,12}?"
         r"(?:謝罪文|詫び状|謝罪の?(?:手紙|文書|書面|電話)|直筆|一筆|謝罪(?:に|しに)来|謝りに来|来て謝|頭を下げ|"
         r"謝らせ|謝れ|謝罪|詫び|出向|謝って(?:ください|下さい|ほしい|欲しい|もら|いただ|よ)|謝りに)|上層部(?:の|が|から|に)\S{0,6}?(?:謝罪|謝れ|謝らせ|詫び)",
         "社長直筆の謝罪文を送ってください"),
    Rule("written_pledge", EXCESSIVE_DEMAND, "high",
         r"念書|誓約書|一筆(?:書け|書いて|書かせ|入れ)|直筆の?(?:謝罪|詫び)|謝罪文(?![はをも、]?\s?(?:頂戴|いただ|頂|受け取|もらっ|拝受|届))|詫び状|詫び文|始末書|"
         r"(?:書面|文書|手紙)(?:で|での|による|にて)?(?:の)?謝罪|謝罪(?:の)?(?:書面|文書|手紙)|(?:文書|書面)で(?:約束|誓)|"
         r"会社として\S{0,6}?(?:一筆|念書|誓約|約束)|shazai[- ]?bun|wabi[- ]?jou|shachou (?:ga|ni|no) (?:shazai|ayamar)|owabi no tegami|tegaki no (?:owabi|shazai)",
         "二度としないと念書を書け"),
    Rule("home_visit", EXCESSIVE_DEMAND, "high",
         r"(?:家|自宅|うち|ウチ|俺んち|住所)(?:まで|に|へ)\S{0,8}?(?:謝りに|謝罪(?:に|しに)|詫びに|頭を下げに|菓子折り)|"
         r"(?:謝りに|謝罪しに|謝罪に|詫びに|頭を下げに)(?:来い|こい|来て|きて|来る(?:べき|のが)|来なさい|伺|出向)|"
         r"菓子折り|手土産(?:を)?(?:持って|もって)\S{0,8}?(?:来|謝|挨拶|詫)|(?:挨拶|あいさつ)に(?:来い|こい|来る(?:べき|のが))|(?:謝罪|謝り|詫び)に来(?:ない|なければ|ないと)|"
         r"目の前で(?:頭|謝|土下座|詫び)|頭(?:を)?下げ(?:る|させる|に来る)?まで\S{0,4}?(?:許さ|ゆるさ)|"
         r"(?:家|自宅|うち)まで(?:来い|こい|来なさい|来て(?:謝|詫|頭)|出向いて)|"
         r"来て(?:謝れ|謝罪しろ|頭を下げろ)|(?:訪問|出向いて|出向き)(?:して)?(?:の)?(?:謝罪|謝)",
         "自宅まで謝りに来い"),
    Rule("fire_employee", EXCESSIVE_DEMAND, "high",
         r"(?:クビ|首|くび)に(?:しろ|しろよ|せよ|して(?:ください|下さい|くれ|ほしい|欲しい|もらう|もらい|よ)|するまで|"
         r"しないと|しなければ|しないなら|すべき|しなさい|させ)|"
         r"解雇(?:しろ|して|させ|すべき|を(?:求め|要求)|しないと|しない限り)|辞めさせ(?:ろ|て|る|ない限り)|"
         r"懲戒|厳重(?:に)?処分|減給|降格|左遷|異動させ|配置転換|配置換え|担当(?:を|者を)?外せ|二度と(?:接客|対応|電話に出)(?:させ|するな)|接客させるな|"
         r"(?:担当者?|店員|社員|スタッフ|オペレーター|配達員|あいつ|そいつ|奴)(?:を|は)?(?:処分|処罰)(?:しろ|して|すべき|を(?:求め|要求))|"
         r"(?:担当者?|店長|社員|店員|スタッフ|オペレーター|配達員|[一-龥]{1,3}(?:さん|氏|って奴|ってやつ))の(?:クビ|首)(?!に(?:かけ|巻|つけ))|"
         r"(?:さん|氏|担当者?|店員|社員|スタッフ|オペレーター|配達員|ドライバー)\S{0,8}?処分(?:され(?:る|た|ます)|する(?:べき|んです)|の(?:結果|内容)|になった|を(?:検討|求め))|"
         r"(?:どういう|どんな|どのような)処分(?:に|を(?:した|下)|が下)|(?:担当者?|社員|店員|スタッフ|オペレーター|配達員|ドライバー)(?:の)?処分(?:内容|結果)|"
         r"(?:処分|クビに|解雇)(?:しない|されない)(?:なら|と|限り)|辞めてもら(?:って(?:ください|下さい)|いたい|う(?:しか|べき))|"
         r"給料から(?:天引き|差し引|引い|払わせ|弁償)|給料(?:を)?(?:減らせ|減らして|カットし|下げ(?:ろ|て))|責任(?:を)?(?:取らせ|とらせ)|kubi ni shiro",
         "対応した田中をクビにしろ"),
    Rule("multiple_refund", EXCESSIVE_DEMAND, "high",
         rf"倍返し|倍額(?:で|を)?\s*{_DEMAND_FORMS}|倍額(?:で|を)?\s?(?:ご)?返金(?:いただ|ください|下さい|願|して|しろ)|[0-9二三四五六七八九十百]+倍(?:の(?:金額|額)|に(?:して)?|で)?(?:を)?\s*{_DEMAND_FORMS}",
         "届かなかった分、倍返しで払え"),
    Rule("show_sincerity", EXCESSIVE_DEMAND, "high",
         r"(?:誠意|せいい|セイイ)(?:を|は)?(?:見せ|みせ|示し)(?:ろ|なさい|て(?:みろ|もらお|もらう|もらえ|いただけ|くれ|くん|ください|下さい|よ|ほしい|欲しい))|"
         # 「相応の誠意をお見せください」 (writer AC)
         # asked for, not thanked for (「誠意をお示しいただき、恐縮です」, a review the same day)
         r"(?:誠意|せいい)(?:というもの|ってもの)?(?:を|は)[、,]?(?:\S{0,8}?形で)?(?:お見せ|お示し)(?:ください|下さい|願|"
         r"いただきたい|頂きたい|いただけ(?:ます|ません)か|いただけますでしょうか|いただこう)|"
         r"(?:誠意|セイイ)\S{0,12}?(?:カネ|金で|現金|お金)|seii (?:wo )?mise|okane de (?:seii|kaiketsu)|"
         r"(?:それなりの|相応の|それ相応の)(?:額|償い|詫び)|(?:それなりの|相応の|それ相応の)対応(?:を)?(?:して(?:いただけ|もらえ|くれ)る(?:んですよね|んだよね|よね)|を?期待)|"
         r"まさか\S{0,12}?(?:で|だけで)(?:終わり|済ませ|すませ)|ケジメ(?:を)?(?:つけ|付け)(?:て|ろ|させ)|けじめ(?:を)?(?:つけ|付け)(?:て|ろ|させ)|"
         r"(?:お金|現金|金銭)(?:とか|など|なり)?で(?:誠意|示|形|解決|補償)|形で(?:示|見せ)(?:ろ|てよ|て(?:もらおう|ください|下さい|ほしい|欲しい))|(?:何か|なにか)形に(?:して|し)|出すもん|出すもの(?:を|は)?出(?:せ|して|さ)|"
         r"償い(?:を)?(?:して(?:もら|いただ|ください|ほしい)|しろ|させ)|償(?:って|わせ)(?:もら|いただ|ください|ほしい|る)|償え|(?:どう|どうやって)(?:償|落とし前)|(?:補填|補てん|埋め合わせ)(?:が|は)?(?:ある|あって)(?:もの|べき|でしょ|よね|と思)|(?:補填|補てん|埋め合わせ)(?:を)?期待|埋め合わせ(?:を)?(?:して|しろ)|"
         r"何か(?:補填|補償|お詫び|埋め合わせ)(?:が|は)?(?:ある|あって)(?:もの|べき|でしょ|よね)|"
         r"(?:弁償|補償|お詫び)として\S{0,8}?(?:[2-9二三四五六七八九十]|[0-9]{2,})(?:個|点|つ|セット|着|台)(?!目)|償う(?:つもり|気)|落とし前(?:を)?(?:つけ|付け)|"
         r"(?:送料(?:無料|タダ)|クーポン|ポイント|お詫び(?:の品)?)(?:とか|だけ|くらい)?(?:じゃ|では)(?:足りない|足りん|割に合わ|(?:なくて[、,]?)?もっと)|"
         r"(?:1|一)日(?:遅れる|遅延する)?(?:ごとに|につき)\S{0,6}?[0-9,]+\s?(?:万|千)?円|"
         r"(?:裁判|訴訟|訴え)(?:が|は)?(?:嫌|いや)(?:なら|だったら)|(?:裁判|訴訟)(?:を)?(?:起こされ|され)たく|和解(?:金|しましょう|で|に応じ)|"
         r"(?:返す|返金する|交換する|謝る)だけで(?:終わら|済ま|すま|済む|すむ)|申し訳(?:ございません|ありません)」?で(?:済|す)むと思|"
         r"(?<!送料)(?<!送料を)(?:タダ|無料)に(?:しろ|せえ|せよ)|(?:次の|次回の?|今後の)(?:[0-9一二三四五]+回(?:分)?の)?(?:注文|買い物|購入)\S{0,4}?(?:全部|全て|すべて)?(?<!送料)(?:タダ|無料|半額)(?:ね(?:[、,。!！]|$)|にして|にしろ|にせよ|で(?:よろしく|お願い))|上乗せ(?:して(?:くれ|ください|ほしい|よ)|しろ|しといて)|"
         r"迷惑(?:を)?かけた(?:ぶん|分)\S{0,8}?(?:払|現金|お金|金)|現金で(?:誠意|補償|示|よこせ|寄越せ|包)|誠意(?:を|は)?(?:形に|形で|示せ|見せない)|誠意(?:って|という)?(?:もの|モノ)?(?:を|は)?(?:形|金額|態度|お金)で(?:示|見せ)|誠意って(?:何|なに|わか|分か)|"
         r"(?:それなりの|相応の|しかるべき|然るべき)(?:もの|物|金額|対価|補償|誠意)(?:を|は)?(?:用意|出せ|見せ|払|包)|"
         r"出すもの(?:を)?出せ|出すもん出せ|(?:それなりの|相応の|それ相応の|しかるべき|然るべき)(?:もの|物|金額|対価|補償|お詫び|謝礼)|"
         r"(?:お)?金で(?:解決|誠意|けじめ)|いくら(?:払|出|包)(?:う|す|む|え|って|して)|(?:一生|永久|永年|ずっと)(?:送料)?(?:無料|タダ|ただ)|"
         r"タダで(?:済|す)むと思う(?:な|なよ)|返金だけ(?:で|じゃ)(?:済|す)(?:む|ま)",
         "誠意を見せろって言ってるんだよ"),
    Rule("post_unless_demand_met", EXCESSIVE_DEMAND, "high",
         rf"{_SNS}\S{{0,8}}?(?:晒|さら|拡散|書き込|書きこ|投稿|書く|書いて|書き|流|告発|暴露|タレコ|たれこ|訴え|ばら|バラ|載せ(?!ないで)|上げ|アップ|"
         r"(?:って|と)(?:言う|言いふら|広め))|"
         r"(?:書か|載せ|晒さ|投稿し|拡散し|言いふらさ)ないで(?:おいて)?(?:あげ|や)(?:る|ます|ろう)|"
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
         r"(?:返金|交換|謝罪|お詫び)(?:だけ|のみ)?(?:で|じゃ|では)(?:足りない|足りん|済む|すむ|済まない|すまない|許さない|気が(?:済|す)ま|釣り合わ|つりあわ|割に合わ)|"
         r"(?:返金|交換)(?:だけ|のみ)(?:で|じゃ|では)?(?:済ま|すま)|(?:返金|交換)(?:だけ|のみ)(?:じゃ|では)なく(?:て)?\S{0,12}?(?:払|補償|慰謝|迷惑料|お詫び)|"
         r"損害(?:額|分)?(?:を|も)?(?:全部|全額)(?:払|弁償|賠償|補償)|(?:それが|これが)?(?:嫌|いや)(?:なら|だったら)\S{0,14}?(?:送って|払って|よこせ|くれ|誠意|補償|賠償|慰謝|迷惑料|お詫び|提示)|(?:全額)?返金(?:した)?(?:うえ|上)で\S{0,8}?(?:補償|慰謝|上乗せ|倍)|"
         r"(?:俺|私|わたし|あたし|僕|ぼく)の(?:貴重な)?(?:時間|休み|休日|有給|一日|1日)(?:を)?(?:返せ|返して|弁償|補償|どうして)|時給換算|休業補償|日当(?:を|も)?(?:払|請求|出せ)|"
         r"(?:VIP|プレミアム|永久|特別|ゴールド)会員に(?:しろ|して|せよ)",
         "返金だけで済むと思うなよ"),
    Rule("demand_in_english_more", EXCESSIVE_DEMAND, "high",
         r"\bapolog\w* from (?:the |your )?(?:ceo|president|owner)|\bfire (?:him|her|them|that|the|your)\b|\bon (?:your|their) knees\b|"
         r"\b(?:double|triple|twice|three times|10x|x2|x3)\b.{0,20}?\b(?:refund|compensation|money back)|\bI demand\b.{0,30}?(?:yen|compensation|\$)|"
         r"\b(?:[2-9]|[0-9]{2,}|two|three|four|five|six|ten)\s+more\b.{0,12}?\bfree\b",
         "I demand an apology from the CEO and 50,000 yen compensation"),
    Rule("unless_reported_or_published", EXCESSIVE_DEMAND, "high",
         r"(?:通報|訴え|告発|公表|記事に|ニュースに|報道|拡散|晒|炎上)(?:さ|され|し)?(?:たくなければ|たくなかったら|られたくなければ|られたくなかったら)|"
         r"(?:され|かれ|られ|せられ|載せられ)たく(?:なければ|なかったら|ないなら|ないでしょ|ないよね|ないですよね)|"
         r"(?:嫌|いや)(?:なら|だったら)\S{0,6}?(?:わかる|分かる|わかります|分かります)(?:よね|でしょ|な)|"
         r"(?:なら|だったら)[、,]?\s?(?:わかる|分かる|わかります|分かります)(?:よね|でしょ)|(?:訴えられ|晒され|書かれ|拡散され|通報され|記事にされ)たいの|"
         r"(?:発信|投稿|拡散|公表)(?:します|しますね|しました)\S{0,6}?(?:お詫び|誠意|補償)|"
         r"(?:書かれ|晒され|載せられ|拡散され|投稿され|公表され|公開され|流され|バラされ)たら困(?:る|りま)|"
         r"(?:止め|やめ|消し|削除し|取り下げ|下げ)て(?:ほしかったら|ほしければ|欲しければ|欲しかったら)|"
         r"(?:どうすれば|どうしたら)(?:いい|良い)か(?:は)?(?:分か|わか)(?:る|ります)(?:よね|でしょ)|"
         r"(?:そうならない|書かれない|晒されない|拡散されない|公表されない)(?:よう|ように)(?:に)?\S{0,10}?(?:配慮|誠意|対応|お考え)|穏便に(?:済ませ|すませ|解決し)たい(?:なら|のであれば)|"
         r"(?:掲載|投稿|公開|拡散|記事)(?:を)?(?:止め|やめ|取り下げ|削除し)(?:たい|てほしい)(?:なら|のであれば|んだったら)|条件を(?:飲|呑)(?:め|んで)",
         "週刊誌に知り合いがいるんで。記事にされたくなかったら誠意見せてください"),
    Rule("lifetime_free", EXCESSIVE_DEMAND, "high",
         r"一生分|一生(?:涯)?(?:無料|タダ)|生涯(?:無料|タダ)|永久(?:に)?(?:無料|タダ)|永年無料|"
         r"(?:全商品|全色|全種類|新作)\S{0,8}?(?:無料に|タダに|ください|下さい|よこせ|送れ)|"
         r"(?:全商品|全色|全種類|新作|新商品)(?:を)?(?:全部|全て|すべて|一式)(?:を)?(?:ください|下さい|よこせ|送れ|送って)|"
         r"(?:[0-9一二三四五六七八九十半]+(?:年|ヶ月|か月|カ月))(?:間)?(?:分)?(?:の)?(?:送料)?(?:無料|タダ)に|"
         r"(?:今後|次回以降|これから|ずっと|永久に?|一生)\S{0,12}?(?:[0-9]+\s?%|[0-9一二三四五六七八九]割)(?:オフ|OFF|引き|割引)(?:に|で)(?:して|しろ|せよ|お願い)|"
         r"今後一切\S{0,8}?(?:取るな|請求するな|無料に)|(?:次回から|次回以降|今後|これから|以後)(?:ずっと|は|も)?\S{0,6}?(?:送料)?(?:無料|タダ|半額)(?:に|で)(?:しろ|して|せよ|しなさい)",
         "一生分の送料無料にしてくれたら許してあげます"),
    Rule("compensation_on_top", EXCESSIVE_DEMAND, "high",
         r"(?:返金|交換)(?:とは|と)?別に\S{0,8}?(?:補償|慰謝|お詫び|賠償|[0-9]+)|損害賠償(?:を)?(?:請求|求め|しろ|払)|"
         r"(?:全部|全商品|今後|次回以降|これから)\S{0,6}?(?:半額|無料|タダ)(?:に)?(?:しろ|せよ|でよこせ)|(?:タダ|無料)で\S{0,6}?(?:よこせ|送れ|寄越せ)|"
         r"(?:返金|交換)に加えて\S{0,8}?(?:補償|慰謝|同額|上乗せ)|同額の補償|(?:返金|交換)(?:じゃ|では)気が(?:済|す)ま",
         "全額返金に加えて同額の補償をしてください"),
    Rule("several_free_units", EXCESSIVE_DEMAND, "high",
         # one for everyone in the family (「同居する家族全員分、計5台の代替品を」), writers D and AA
         r"家族(?:全員)?(?:の)?\S{0,6}?(?:分|ぶん)\S{0,14}?(?:[2-9二三四五六七八九]|[0-9]{2,})\s?(?:台|個|つ|セット|枚|着)|"
         r"(?:[2-9二三四五六七八九十]|[0-9]{2,})\s?(?:個|つ|点|台|セット|着|箱)(?:を|も)?\s?(?:無料|無償|タダ|ただ)(?:で)?\S{0,4}?"
         r"(?:送って(?:ください|下さい|くれ|ほしい|欲しい|いただ)|ください|下さい|いただけ|頂け|よこせ|くれ|ちょうだい)",
         "不良品だったので同じものを5個無料で送ってください",
         requires=r"(?:不良|壊|割れ|遅|届かな|届いてな|お詫び|詫び|迷惑|謝罪|補償|弁償|交換|返金|ひどい|最悪|傷|欠け|動かな)"),
    Rule("apologies_for_months", EXCESSIVE_DEMAND, "high",
         r"(?:[0-9一二三四五六七八九十半]+\s?(?:年|ヶ月|か月|カ月|ヵ月)(?:間)?|一生|今後ずっと)\S{0,6}?(?:毎週|毎日|毎月|毎朝|毎晩)\S{0,10}?"
         r"(?:電話|連絡|報告|お詫び|謝罪|謝り)\S{0,10}?(?:ください|下さい|いただ|頂|しろ|して(?:ほしい|欲しい|もら)|よこせ)",
         "お詫びとして、今後一年間、毎週お電話でご報告いただきたいです"),
    Rule("come_here_and_apologise", EXCESSIVE_DEMAND, "high",
         r"(?:責任者|社長|店長|上司|担当者?|配達員|部長|課長|役員|上の者|上の人)(?:が|を|本人が)?(?:直接)?\S{0,6}?(?:(?<!出て)(?<!でて)(?:来い|こい)|来させろ|来させて|連れて(?:来|こ)い|"
         r"出向(?:いて|く(?:べき|のが)|け)|足を運(?:べ|んで|ぶべき))|"
         # the president at the door with the money: 「社長さんが、直接、家に、来て、手渡しで、返しなさい」 (writer G)
         r"(?:責任者|社長|店長|上司|部長|役員)(?:さん|様)?(?:が|本人が)?(?:直接)?\S{0,2}?(?:家|自宅|うち)(?:まで|に|へ)\S{0,2}?"
         r"(?:来い|こい|来なさい|来て(?:ください|下さい)(?!まし|ます)|来て\S{0,8}?(?:なさい|しろ|せよ|返せ|謝れ|払え|渡せ|詫びろ)|持って(?:来い|こい|来なさい)|出向(?:け|きなさい))",
         "責任者が直接うちに来い"),
    Rule("home_visit_polite", EXCESSIVE_DEMAND, "high",
         r"(?:弊宅|拙宅|自宅|家|うち|当方)(?:まで|に|へ)\S{0,6}?(?:お越し|おいで|来て|来い|伺|出向|足を運)",
         "ご担当者様に弊宅までお越しいただき、直接ご謝罪をいただきたく存じます",
         requires=r"(?:謝|詫|説明|頭を下げ)", requires_in_sentence=True),
    Rule("stated_claim_amount", EXCESSIVE_DEMAND, "high",
         r"(?:請求|補償|賠償|示談)(?:の)?(?:金額|額)(?:は|として)|金額は",
         "弁護士を通して請求します。金額は50万円です",
         requires=r"(?:請求します|請求する|請求させ|補償して|賠償|慰謝|弁護士|示談)", amount_check=COMPENSATION),
    Rule("settle_for_amount", EXCESSIVE_DEMAND, "high",
         r"手を打|手打ち|水に流し|勘弁して(?:やる|あげる)|許して(?:やる|あげる)|黙って(?:おいて|て)(?:やる|あげる)|口外しない",
         "5万円で手を打ってやるよ",
         amount_check=COMPENSATION),
    Rule("demand_in_english", EXCESSIVE_DEMAND, "high",
         r"(?:or|otherwise|unless)\s+I(?:'ll|\s+will)\s+(?:post|write|tell|sue|report|expose)|\bcompensation\b.{0,40}?\b(?:or|unless)\b",
         "I want 100,000 yen compensation for the late delivery, or I will post about you on every review site."),
    Rule("pay_for_my_time", EXCESSIVE_DEMAND, "high",
         r"(?:時給|日当(?!たり)|人件費|手間賃|休業補償|有給(?:休暇)?\S{0,4}?分)(?:分|換算)?(?:も|を|と|は)?\S{0,10}?(?:払|支払|出せ|出して|請求|補償|よこせ)|"
         r"交通費(?:と|も|や)(?:時給|日当|手間賃|人件費)|"
         # 「休んだ一日分の日当と」「その休みの分、日給で払って」「その時間分として二万円を」 (writers D and AA)
         r"休んだ\S{0,6}?(?:日当|日給)|(?:休み|休んだ|有休|有給|休日)(?:の)?(?:分|ぶん)[、,]?\s?(?:日当|日給|時給)|"
         r"(?:時間|休日|半日|一日|手間)(?:の)?(?:分|ぶん)(?:として|を)\S{0,4}?[0-9〇一二三四五六七八九十百千万,]+\s?(?:円|万)",
         "再配達のために半休取ったので、交通費と時給分払ってください"),
    Rule("pass_on_losses", EXCESSIVE_DEMAND, "high",
         r"(?:損失|損害|売上|機会損失)\S{0,10}?(?:持って(?:もら|いただ|ください)|負担して(?:もら|いただ|ください)|補填|補てん|持て|負担しろ)",
         "遅延のせいで商談が流れた。その損失、全部そっちで持ってもらうからな"),
    Rule("consequential_costs", EXCESSIVE_DEMAND, "high",
         # what the customer spent on the day the parcel spoiled (camp site, fuel, the wedding), not the item's
         # own price, a return's postage or a doctor's bill (writers D and AA, 2026-12-03)
         r"(?:旅行|キャンプ|式|式場|パーティー|イベント|ホテル|宿|交通|ガソリン|タクシー)(?:場)?(?:の)?(?:代|料金|費用|代金)"
         r"\S{0,16}?(?:払え|払って|負担(?:して|しろ|いただ)|持って(?:もら|いただ|ください)|補償して|弁償して|出せ|出して)",
         "約束の日に届かないからキャンプが台無し。キャンプ場の料金とガソリン代、全部払え",
         requires=r"(?:遅|届か|届いてな|来な|間に合わ|台無し|違う|間違|足りな|入って(?:い)?な)"),
    # 「うちの住所、他人に見られたんですけど😡 引っ越し費用出してもらえます？」 (writer AC): moving house paid for by the
    # shop after an address was seen or leaked; moving costs told in passing (「引っ越し代を払っているので」) are not.
    Rule("moving_costs_for_a_leak", EXCESSIVE_DEMAND, "high",
         r"(?:引っ越し|引越し|引っ越|転居)(?:の)?(?:代|料金|費用|代金)\S{0,16}?(?:払え|払って(?:ください|下さい|ほしい|もら)|"
         r"負担(?:して(?:ください|下さい|もら|ほしい|いただ)|しろ)|持って(?:もら|いただ|ください)|出せ|出して(?:ください|下さい|もら|ほしい|いただ|よ|ね|[。!！?？]|$)|"
         r"請求(?:します|いたします|する))",
         "住所が漏れたので引っ越します。引っ越し費用を全額負担してください",
         requires=r"(?:見られ|漏れ|流出|バレ|ばれ|知られ|晒され)"),
    Rule("forgive_if_given", EXCESSIVE_DEMAND, "high",
         r"(?:くれ|送って|もらえ|いただけ|つけてくれ|して(?:くれ|もらえ))たら(?:今回(?:は|の(?:こと|件)(?:は)?)?)?(?:許|忘れ|水に流|勘弁|見逃|黙って)",
         "10万ポイントくれたら今回は許してあげる",
         requires=r"(?:[0-9]+万|タダ|ただで|無料|現金|お金|商品券|ギフト券|おまけ|ポイント|[0-9]+\s?(?:個|つ|点))", requires_in_sentence=True),
    Rule("amount_demand_in_english", EXCESSIVE_DEMAND, "high",
         r"\bI (?:want|demand|expect|deserve|need)\b|\bfor my (?:wasted )?time\b|\bpay (?:me|for my)\b",
         "This is unacceptable. I want 50,000 yen for my wasted time.",
         amount_check=COMPENSATION, example_order_total=3000),
    # ------------------------------------------------------------------
    # Abuse without a demand: insults and harassment of staff.
    # ------------------------------------------------------------------
    Rule("insult", ABUSIVE, "high",
         r"(?<!ばか)(?<!バカ)(?:バカ|馬鹿|ばか|(?<![A-Za-z])baka(?![A-Za-z]))(?!に|高|たか|でか|売れ|正直|丁寧|らし|り|っ|ばか|バカ|げ|力|ぢから|みたい|になら|にな|ンス|ラ)|"
         r"アホ(?!らし|みたい|ほど)|あほ(?!らし|みたい|ほど)|ドアホ|(?<!ピン)(?<!手)ボケ(?!て|た|る|ー?防止)|クズ|(?<!ス)カス(?!タ|テ|ト|ケ|ク|ペ|ハ|カ)|ゴミ(?:ども|共|野郎|会社|企業|店|人間|社員|店員|スタッフ|カス|クズ)|"
         r"無能|役立たず|給料泥棒|税金泥棒|低能|低脳|能無し|脳タリン|(?:燃え|潰れ|倒産し)(?:たら|れば)(?:いい|良い)のに|(?<![ァ-ヴー])バーカ(?![ァ-ヴー])|バーカバーカ|ばーか(?![ぁ-ん])|"
         r"(?:この|お前|おまえ|あんた)ポンコツ(?![ぁ-んァ-ヴ一-龥])|ポンコツ(?:が|め|野郎|AI|ボット)|"
         r"(?:脳|脳みそ|脳ミソ|脳味噌|頭)(?:が|は|の中)?(?:空っぽ|からっぽ|スカスカ)|"
         r"害虫(?:みたいな|ども|共|以下|同然|会社|社員)|(?:ゴキブリ|寄生虫|ウジ虫|蛆虫)(?:みたいな|ども|共|以下|同然|野郎)|駆除されろ|脳みそ(?:ある|入って)|頭(?:が|)(?:おかしいんじゃ|おかしいの|湧いて|沸いて)|キモオタ|死んでくれ|しんでくれ|ぶっ潰|殴(?:りたい|ってやりたい)|"
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
         r"(?:家|自宅|会社|店|倉庫|事務所)(?:まで|に)(?:押しかけ|乗り込|行ってやる|行くからな|行くぞ)|押しかけ(?:る|ます|てやる|てやろ|たる|たろ|に(?:行|い)く|ねば|かねな|ないとも|ても(?:知|し))|大挙して\S{0,3}?押しかけ|乗り込んで|"
         r"待ち伏せ|毎日(?:電話|電凸|凸)(?:して|し)?(?:やる|するからな|するぞ)|電話し(?:続けてやる|まくってやる|まくるぞ|まくるからな)|"
         r"電凸|(?:何度|何回)でも電話(?:して|する)(?:やる|からな|ぞ)|"
         r"(?:お前|おまえ|あんた|てめえ|てめー|担当者?|そいつ|あいつ)(?:ん|の)?(?:ち|家|自宅|会社|職場)(?:に|へ|まで)?"
         r"(?:行って(?:やる|やろ)|行ったる|行ったろ|行くから(?:な|ね)|押しかけ|乗り込)|"
         r"(?:家|住所|自宅|居場所|勤務先|職場)(?:を|も|まで)?(?:突き止め|特定し)(?:て(?:やる|やろ|行く|いく)|たる|たろ|るぞ|るからな)|突き止めてやる|"
         r"(?:住所|家|自宅|居場所)(?:なんて|なんか|くらい|ぐらい)(?:すぐ|簡単に)?(?:わか|分か|調べ|特定)|潰したる|潰したろ|"
         r"(?:送り|書き込み?|電話し|かけ|問い合わせし?)(?:続け|まく)(?:て(?:やる|やろ)|たる|るぞ|るからな)|"
         r"覚悟しとけ|覚悟しと(?:いて|きな)|覚悟しろ|覚悟しておけ|覚えてろ|覚えとけ|後悔させ(?:てやる|るぞ)|潰してやる|潰す(?:ぞ|からな)|"
         r"今から(?:そっち|店|会社|倉庫)に(?:行く|行って)|ただじゃ(?:おかない|済まさない|すまさない)|ただで済むと思うな|"
         r"名前(?:は|を)?覚えた|顔(?:は|を)?覚えた|晒(?:す|します|してやる|したる|しあげ|し上げ)|さらしてやる|晒してやろ|さらしてやろ|(?:毎日|何度も)\S{0,8}?(?:電話|問い合わせ|連絡)(?:する|してやる|したる)(?:よ|ぞ|からな|から|わ)|口の(?:利き|きき)方に気を(?:つけ|付け)ろ|さらす(?:ぞ|から)|"
         r"拡散してやる|特定してやる|特定する(?:ぞ|からな)|"
         rf"{_SNS}\S{{0,8}}?(?:晒|拡散|書き込|書|投稿|流|ばら|暴露|載せ|上げ|アップ)\S{{0,3}}?"
         r"(?:てやる|でやる|たる|まくる|するぞ|するからな|すぞ|すからな|ますからね)|"
         r"(?:マスコミ|週刊誌|テレビ局|新聞社|文春)(?:に|へ)(?:タレ込|垂れ込|たれこ|売|持ち込)|"
         r"(?:名前|実名|顔写真|写真|声)(?:を|も)?(?:ネットに|SNSに)?(?:出|公開|晒|載せ|アップ)(?:す|してやる|するぞ|するからな)(?:ぞ|からな)?|"
         r"(?:毎日|何度でも|何回でも)(?:店|会社|そっち|倉庫)(?:に|へ)(?:行って|行く)(?:やる|ぞ|からな)|"
         r"(?:店|会社|本社|倉庫|事務所)の前で\S{0,16}?(?:騒|叫|暴れ|待ち伏せ|わめ|喚)(?:いでやる|いだる|いてやる|いてやろ|いたる|ぐぞ|ぐからな|んでやる|んでやろ|ぶぞ|てやる|てやろ|るぞ|きます|ぎます|びます)",
         "担当者の名前と住所特定して晒してやる"),
    # Intimidation patterns of the MHLW customer-harassment manual (厚生労働省「カスタマーハラスメント
    # 対策企業マニュアル」): the staff member's name or personal details demanded, a named person's
    # punishment demanded, the same demand pressed without end, recording or posting as a threat.
    Rule("staff_name_demanded", ABUSIVE, "high",
         r"(?:担当者?|担当の(?:人|奴|やつ)|お前|おまえ|あんた|てめえ|てめー|オペレーター|オペ|店員|スタッフ|社員|"
         r"(?:対応|梱包|検品|発送|出荷|配達)した(?:人|奴|やつ|者)|電話(?:に)?出た(?:人|奴|やつ|者)|そいつ|あいつ|(?:あの|その)(?:子|男|女|人|方|おばさん|おじさん|兄ちゃん|姉ちゃん)|さっきの(?:人|奴|やつ|方|女|男)|(?:カスタマー|サポート|コールセンター|チャット)(?:の)?(?:女|男|人|奴|やつ|担当))(?:の|は)?\S{0,3}?"
         r"(?:名前|氏名|フルネーム|本名|下の名前|名字|苗字|所属|役職|社員番号|生年月日|年齢|住所|自宅|家|携帯(?:番号)?|個人(?:の)?(?:電話|携帯|連絡先|LINE)|家族|SNS|インスタ)"
         r"(?:(?:と|、)\S{0,10}?)?(?:を|は|も)?(?:今すぐ|さっさと|全部)?(?:教えろ|おしえろ|言え(?!な|ま|る)|いえよ|名乗れ|出せ(?!な|ま|る)|よこせ|晒せ|書け(?!な|ま|る)|送れ(?!な|ま|る)|"
         r"教えなさい|言いなさい|名乗りなさい|教えて(?:もらおう|もらうぞ|もらうからな)|控えさせろ)|"
         r"フルネーム(?:で|を)(?:名乗|言え|言いなさい|教えろ|教えなさい)|名(?:前)?(?:を)?名乗れ|(?<![ぁ-ん])名乗れ(?:よ|や)?(?:[!！。、]|$)|"
         r"(?:下の名前|フルネーム|本名)(?:まで|も)(?:教えろ|言え|名乗れ|出せ)|"
         r"(?<![A-Za-z])(?:omae|tantou(?:sha)?|anta|temee)\s?no\s?(?:namae|juusho|jitaku|honmyou)\b.{0,16}?\boshie(?:ro|yo|nasai)\b",
         "お前の名前なんていうんだ？フルネームで名乗れ"),
    # The same, asked politely: a staff member's home, face or family is never a customer's business, however
    # courteously asked (「担当者様のフルネームと、ご自宅の最寄り駅をお教えください。直接伺います」). The staff
    # member's name alone may be asked (「担当の方のお名前を教えていただけますか」): it is not here.
    Rule("staff_private_details_requested", ABUSIVE, "high",
         rf"{_STAFF}\S{{0,24}}?{_PRIVATE_DETAIL}(?:の\S{{0,6}}?)?(?:を|も|と)\S{{0,4}}?(?:{_POLITE_REQUEST}|お願い(?:します|いたします))|"
         rf"(?:ご自宅|お住まい)(?:の)?\S{{0,8}}?(?:を|も)\S{{0,6}}?{_POLITE_REQUEST}|"
         rf"ご家族の(?:連絡先|ご?住所|電話番号|お名前)(?:を|も)\S{{0,6}}?(?:{_POLITE_REQUEST}|お願い(?:します|いたします|できますか))|"
         # the full name asked, and the home added after: 「担当者のフルネームを教えてください。自宅の住所もです」「…フルネーム教えて。家も」
         rf"{_STAFF}\S{{0,4}}?(?:フルネーム|本名|氏名)\S{{0,4}}?(?:{_POLITE_REQUEST}|教えて)[。、,\s]*\S{{0,4}}?"
         r"(?:ご?自宅|家|ご?住所|お住まい)(?:の\S{0,4}?)?も",
         "誤配送の責任者の方のフルネームと、ご自宅のご住所を教えてください。個人的にお話をしに伺います",
         requires=_STAFF),
    Rule("named_staff_punishment_demanded", EXCESSIVE_DEMAND, "high",
         r"(?:さん|氏|担当者?|店員|社員|スタッフ|オペレーター|配達員|ドライバー|あいつ|そいつ|奴|やつ)"
         r"(?:を|に|には|は)?\S{0,6}?(?:罰(?:し|して|を与え|を受けさせ)|処罰(?:しろ|して|させ|を求め|を要求|すべき)|制裁|懲罰|"
         r"始末書(?:を)?(?:書かせ|出させ)|反省文(?:を)?(?:書かせ|出させ)|けじめ(?:を)?(?:つけさせ|とらせ)|ケジメ(?:を)?(?:つけさせ|とらせ)|"
         r"土下座させ|謝罪させ(?:ろ|て|なさい)|降ろせ|外させ(?:ろ|て))",
         "対応した佐藤さんに始末書を書かせて、処罰してください"),
    Rule("same_demand_without_end", ABUSIVE, "high",
         r"(?:返金|返事|お返事|返答|返信|回答|対応|謝罪|連絡|納得|補償|誠意|解決|直る|直す|治る|届く|来る|くる|される|消える|"
         r"削除|消去|交換|解約)\S{0,10}?(?:まで|までは)\S{0,4}?"
         r"(?:何度でも|何回でも|毎日|毎晩|朝から晩まで|ずっと|永遠に|延々と?|しつこく|何百回でも|繰り返し|一生)\S{0,14}?"
         r"(?:電話|連絡|メール|問い合わせ|書き込|書き(?:ます|続け)|書く|送|言|聞|チャット|打ち(?:続け|込|まく))|"
         # 「返事くるまで打ち続ける」「返金されるまで一生聞くよ」
         r"まで\S{0,4}?(?:打ち|送り|書き|言い|聞き|電話し|連絡し|問い合わせ)続け(?:る|ます|てやる|たる)|"
         r"(?:返事|返信|回答|返金|対応)(?:する|が来る|がくる|くる|来る)?まで(?:ずっと)?続け(?:る|ます|てやる|たる)" + _WILL_DO + r"|"
         r"まで[、,]?\S{0,4}?(?:永遠に|延々と?|ずっと)\S{0,4}?(?:やり|送り|書き|言い|送りつけ)(?:続け)?(?:る|ます|てやる|たる)" + _WILL_DO + r"|"
         # the demand itself, three times over: 「交換しろ。交換しろ。交換しろ。」
         r"(?P<demand>(?:[^。、!！?？\s]{1,8}?)(?:しろ|せよ|しなさい|して|返せ|払え|よこせ|出せ|来い|こい))"
         r"[。、!！?？\s]*(?P=demand)[。、!！?？\s]*(?P=demand)|"
         r"(?<![A-Za-z])made\s+(?:mainichi|zutto|nando\s?demo|isshou)\b.{0,24}?\b(?:denwa|renraku|meeru|mail|okuru|kaku)|"
         r"(?<![A-Za-z])(?:[0-9]{3,}|hyaku|sen)\s?kai\b.{0,12}?\b(?:denwa|renraku|meeru|okuru)|"
         # a count that means "without end" (「これ1000回送るから」「何百回でも書きます」), said as what the writer will do
         r"(?:何十|何百|何千|[0-9]{3,}|百|千)回(?:でも|は|以上)?\S{0,6}?(?:送|書|電話|連絡|メール|チャット|問い合わせ|言い続け)"
         r"(?:る|ります|きます|く|します|する|り続け|き続け|し続け)(?:から|ぞ|よ|ので|ね|わ|[。!！]|$)|"
         r"(?:何か月|何ヶ月|何カ月|何ヵ月|何年|いつまで)でも(?:続け|送り続け|書き続け|電話し続け|言い続け)|"
         r"(?:電話|連絡|メール|問い合わせ|チャット|催促)(?:を)?(?:し)?続け(?:ます|る|てやる|たる)(?:から|ぞ|よ|わ)?|"
         # said as what the writer will do, not asked or regretted (「かけ続けるしかないのでしょうか」「送り続けるのは申し訳ない」):
         # 「直るまで毎朝九時に電話をかけ続けますから」「今日から一時間おきにこのチャットに同じ文面を送り続けますので」 (writer G)
         r"(?:電話|連絡|メール|メッセージ|チャット)(?:を)?(?:かけ|入れ|送り)続け(?:ます|る|てやる|たる)" + _WILL_DO + r"|"
         r"(?:[0-9〇一二三四五六七八九十]+(?:時間|分)(?:おき|ごと)に|毎時間|毎時[、,]?)\S{0,16}?(?:送|電話|連絡|書き込|書|メール|チャット)(?:し)?"
         r"(?:ます|ります|きます|む|みます|る|する|てやる|たる|[りきし]続け(?:ます|る|てやる|たる)?)" + _WILL_DO + r"|"
         r"同じ(?:文面|文章|内容|メッセージ|こと|要求|話)(?:を)?\S{0,4}?(?:送り|書き|言い|打ち)続け(?:ます|る|てやる|たる)" + _WILL_DO + r"|"
         r"(?:何度|何回|何十回|何百回)(?:でも)?同じ(?:こと|要求|話)(?:を)?(?:言い|送り|書き)続け|"
         # 「止めるまで毎日毎時間ここに同じこと書く」「認めるまで毎日ここで同じ質問する」「毎日ここに書き込むぞ」
         r"まで\S{0,3}?(?:毎日|毎時間|毎晩|毎朝)\S{0,12}?(?:同じ(?:こと|質問|話)|書き込|書く|送る|言う)|"
         r"(?:毎日|毎晩|毎時間)(?:ここ|こちら|このチャット)(?:に|で)\S{0,4}?(?:書き込|書く|送る|同じ(?:こと|質問))|"
         r"(?<![A-Za-z])(?:zutto|mainichi)\s+(?:denwa|renraku)\s+(?:suru|shite\s?yaru)\b|"
         r"(?:認める|払う|返金する|謝る|応じる)まで(?:電話|チャット)(?:を)?切らない|(?:返金|回答|謝罪)(?:が|を)?(?:もらえる|ある|する)まで(?:ここを)?(?:動かない|帰らない|切らない)",
         "返金するまで毎日何度でも電話しますから"),
    Rule("recording_or_posting_threat", ABUSIVE, "high",
         r"(?:録音|録画|撮影|スクショ|スクリーンショット|動画)\S{0,14}?"
         r"(?:公開|晒|さら|拡散|ネットに|SNSに|YouTubeに|ユーチューブに|X(?:に|で)|アップ|上げ(?:る|て|たる|てやる|ます)|流(?:す|して|したる)|ばら(?:ま|す)|載せ|配信)|"
         # recorded, then posted if the answer does not please: 「全部録画しています。誠意のない回答だったらそのままYouTubeに上げます」
         r"(?:録音|録画|保存|記録)(?:し|して)\S{0,40}?(?:YouTube|ユーチューブ|SNS|ネット|動画|配信)(?:に|で)?(?:して)?\S{0,4}?(?:上げ|アップ|載せ|晒|公開|流|配信)|"
         r"(?:全部|ぜんぶ|このやり取り|この会話|この電話|今の(?:会話|電話))(?:は|も)?(?:録音|録画|スクショ)(?:して(?:る|い|あ|ます)|しとる|した|済み)(?:から|ぞ|ので|んで)(?:な|ね)?|"
         r"録音(?:して(?:る|ある)|しとる)(?:から(?:な|ね)|ぞ)|"
         # 「このやり取り全部スクショして動画にしてあげるね」「荷物届かない店として有名にしてあげる」 (writer AC)
         r"(?:スクショ|録画|録音)(?:して|した(?:もの|の)?(?:を|で)?)\S{0,6}?動画に(?:して|する)(?:あげ|やる|やろ|晒|公開|ネット|拡散|アップ)|"
         r"(?:届かない|最低|最悪|ひどい|酷い|詐欺|ダメな|だめな|ゴミ|クソ|返金しない|対応しない)\S{0,12}?(?:店|会社|ところ)(?:として|って)\S{0,6}?"
         r"(?:有名にして|知れ渡らせて)(?:あげ|やる|やろ|やっ)|知れ渡らせ(?:て(?:やる|やろ)|たる)|ネタにして(?:やる|やろ)|"
         r"切り抜き動画(?:を)?(?:作|つく|上げ|アップ)|"
         # 「これまでのやりとりをすべて保存したものを公開させていただきます」「電話番号、ネットの掲示板に貼っといた」
         r"(?:保存|記録|スクショ)した(?:もの|内容|やり(?:とり|取り)|画像)(?:を|は)?[、,]?\S{0,16}?(?:公開|晒|拡散|ネットに|SNSに)(?:し|す|いた|させ)|"
         r"(?:電話番号|住所|メアド|メールアドレス)\S{0,8}?(?:掲示板|ネット|SNS)\S{0,3}?(?:に)?(?:貼っ|貼り|晒し|書き込ん|載せ)",
         "この会話は全部録音してるからな。YouTubeで公開してやる"),
    Rule("insult_dialect_and_slang", ABUSIVE, "high",
         r"きっしょ|キッショ|きしょい|キショい|潰れろ|つぶれろ|tsubure|(?<![A-Za-z])kimoi|日本語(?:わから|分から|が通じ|読め|理解でき)|"
         r"(?:小学生|中学生|幼稚園児|猿|サル)以下|コラ(?:[!！?？]|$)|陰キャ|"
         r"(?:中の人|担当|スタッフ|お前|おまえ|店員|社員|オペレーター)\S{0,4}?頭(?:が)?(?:悪そう|悪すぎ|わるそう|おかしい)|"
         r"終わってんな|終わっとる|調子(?:に)?乗ってんじゃ|クソが|くそが|脳みそ(?:腐|ついて|ない)|知能に問題|知能が(?:低|足り)|"
         r"(?<![A-Za-z])(?:idiots?|stupid|morons?|fu?c?k(?:ing|in|ers?|ed)?|f\*+(?:ing|in|k\w*)?)(?![A-Za-z])|(?<!サ)ブス(?!ケッタ)|ブサイク",
         "きっしょ、こんな店さっさと潰れろや"),
    Rule("insult_and_slur_more", ABUSIVE, "high",
         r"クソ(?:野郎|やろう|ヤロウ|店員|社員|オペ|担当|会社|企業|店|ども|ボット|AI|サポート|女|男|ばばあ|ババア|じじい|ジジイ|ガキ)|"
         r"ゴミ(?:以下|同然|クズ|みたいな(?:会社|店|対応|人|奴|やつ|オペ|担当|社員))|人間の(?:クズ|屑|ゴミ)|"
         r"(?<!塗装)(?<!塗装[がのも])(?<!メッキ)(?<!メッキ[がのも])(?<!プリント)(?<!プリント[がのも])(?<!コーティング)(?<!コーティング[がのも])"
         r"(?<!印刷)(?<!印刷[がのも])(?<!ロゴ[がのも])(?<!塗り[がのも])(?<!表面[がのも])(?<!色[がのも])(?<!ハゲ)"
         r"ハゲ(?!隠|対策|予防|防止|ハゲ|て|テ|かけ|カケ|やす|ヤス)|頭(?:が)?(?:悪い|わるい)(?:の|んか|んだ|ん?じゃ|な|ね|わ|やろ|だろ)|"
         r"(?<![A-Za-z])(?:dumbass|asshole|bastard|scumbag|loser|shitty)s?(?![A-Za-z])|"
         r"(?<![ぁ-ん])ばばあ|ババア|(?<![ぁ-ん])じじい|ジジイ|クソガキ|豚野郎|メス豚|売女|ビッチ|(?<![A-Za-z])bitch|"
         r"池沼|知恵遅れ|ちえおくれ|支那人|チョン(?:ども|め|公)|ジャップ|(?<![A-Za-z])(?:retard\w*|faggot|nigg\w+)|"
         r"雑魚(?:が|ども|共|め)|家族の顔が見(?:たい|てみたい)|気持ち悪いんだよ(?!ね)|ガキ(?:が(?:[!！。]|$)|ども|共)|生まれてこ(?:なきゃ|なければ|なかったら)(?:よかった|良かった)|"
         r"知恵(?:が)?(?:足りて(?:ない|ねえ|ねー)|ない(?:の|ん))|脳(?:が|みそが)?足りて(?:ない|ねえ)|ザコ(?:が|ども|共|め)|キチって(?:ん|る)|殺してやりたい|死んで(?:詫び|わび)ろ|死んで(?:お詫び|詫び|わび)(?:し|すれば)|死んでしまえ|くそったれ|クソッタレ|糞ったれ|"
         r"消えて(?:くんない|くれ(?:よ|や|ませんか|[、。!！?？]|$))|(?:きも|キモ)(?:すぎ|過ぎ)|頭(?:ついて|入って)(?:る|ます|ん)(?:の|か)?[?？]|"
         r"こんな(?:ん|の|仕事|対応)で給料(?:もらって|貰って)|(?:よ|や|な|ぞ)[、,]?\s?(?:ゴミ|クズ|カス|ボケ|バカ)(?:が)?(?:[!！。]|$)|地獄に(?:落ち|堕ち|行け)|不幸になれ|呪(?:ってやる|われろ)|死ねや|死ねよ|(?<![ぁ-ん])去ね|消え失せ|生きてる意味|辞めちまえ|辞めてしまえ|"
         r"親の顔が見たい|育ちが悪|人(?:間)?として(?:終わって|最低|失格|どうかして)|給料(?:を)?返せ|脳(?:みそ)?(?:ない|無い|ついて(?:ない|ん))(?:ん|の)|(?:ゴミ|クズ|カス|バカ|馬鹿|アホ|無能|陰キャ)(?:しか|ばっか|ばかり)|"
         r"(?:会社|店|お前|あんた|御社|この店)\S{0,4}?終わって(?:る|ん)|頭の中(?:どうなって|お花畑|空っぽ)|"
         r"(?:お前|おまえ|あんた|アンタ|てめえ|テメエ)みたいな(?:の|奴|やつ|ヤツ)|底辺(?:職|の仕事|労働|社員|企業|会社)|低学歴|"
         r"(?:お前|おまえ|あんた|てめえ|てめー|担当|オペ|店員)\S{0,4}?(?:うざ|ウザ|うぜ|ウゼ|きも|キモ)|"
         r"\byou(?:\s+(?:guys|people|all|lot))?(?:'re|\s+are)\s+(?:all\s+)?(?:just\s+)?(?:a\s+bunch\s+of\s+|so\s+|such\s+)?"
         r"(?:useless|incompetent|pathetic|worthless|garbage|trash|clowns|idiots|morons|losers|a joke)\b|"
         r"\bbunch of (?:clowns|idiots|morons|losers|incompetents|amateurs)\b|\bshut up\b|\bgo to hell\b|"
         r"(?<![A-Za-z])(?:aho|kuzu|kasu|munou?|bakayarou?|uzee|uzai|shineyo|shinde kure)(?![A-Za-z])",
         "お前みたいなクソ野郎に何がわかるんだ"),
    Rule("veiled_threat_more", ABUSIVE, "high",
         r"どうなるか(?:分かって|わかって|知らない|知らん|しらん|覚えて|見もの)|どうなっても(?:知らん|知らない|しらん|しらない)|"
         r"何が(?:起き|起こっ|あっ)ても(?:知らない|知らん|しらん)|"
         r"(?:私|わたし|俺|おれ|僕)が(?:どういう|どんな)人間か\S{0,10}?(?:分か|わか|思い知)|"
         r"ご?家族の(?:こと|事)(?:も)?(?:含めて|を)?\S{0,4}?(?:よく)?(?:お考え|考えて|考えろ)|"
         r"(?:担当者?|スタッフ|社員|オペレーター)(?:様|さん)?(?:個人|ご本人)に(?:も)?(?:責任|償い)を(?:取|と)(?:って|らせ)|"
         r"次第で(?:は)?\S{0,10}?相応の(?:手段|措置|報い)|"
         r"(?:何が(?:起き|起こっ|あっ)|どうなっ)ても\S{0,6}?(?:存じ(?:ません|上げません)|知りません(?:よ|から)|責任(?:は)?(?:持て|取れ|負い(?:かね|兼ね))ません|自己責任(?:だと思って|と思って|ですから|だからな|ですよ|だぞ|だよ))|身の(?:安全|回り)に(?:気を|は気)|"
         r"家族(?:の|が|は)?(?:安全|無事|元気|どうなって)(?!です|でした|だった|でいます|$|[。、\s])|(?:お子さん|娘さん|息子さん|奥さん|旦那さん)(?:は|、)?(?:元気|可愛い|かわいい|何歳)|"
         r"(?:帰り道|夜道|後ろ|背後|身辺|通勤)(?:に|には|は|も)?(?:気を(?:つけ|付け)|注意し)|泣く(?:ことになる|ぞ|ことになるよ)|泣きを見|"
         r"思い知らせ|わからせ(?:て(?:やる|やろ)|たる|たろ)|話(?:を)?つけ(?:に(?:行|い)|る(?:わ|ぞ|からな)|たる|てやる)|ケリ(?:を)?つけ(?:てやる|たる|に)|"
         r"(?:会社|店)\S{0,6}?(?:無くなって|なくなって|潰れて)(?:る|いる)?かも(?:な|ね|よ|しれない(?:ね|よ|な))|"
         r"(?:店|会社|倉庫|家|自宅|出口|裏口)(?:の)?(?:前|外|近く)で待って(?:る|い)(?:る)?(?:からな|からね|ぞ|よ)|どこに(?:いる|住んで|勤めて)(?:か|のか)?(?:は)?(?:分かって|わかって|知って)|"
         r"書き込み(?:して|し)?(?:やる|まくる|続けて)|(?:毎日|ずっと|一生)(?:書き込|投稿して|晒|拡散)|(?:SNS|ネット|インスタ)で特定|会いに(?:行|い)きます|"
         r"見てる(?:からな|からね|ぞ)|監視してる|会いに(?:行|い)く(?:ね|よ|から|わ)|出待ち|後を(?:つけ|付け)|つけ回|付け回|尾行|"
         r"(?:仕事|シフト|勤務)(?:は|って)?何時に(?:上が|終わ)|退勤(?:時間|後)(?:を|に|は)?(?:教え|待|知って)|"
         r"最寄り(?:駅)?(?:は|も)?(?:知って|わかって|分かって)|(?:どこに|どこで)(?:住んで|働いて)(?:る|いる)(?:か)?(?:は)?(?:知って|わかって|分かって)|"
         rf"(?:{_WHOSE}|その方|あの方)の(?:住所|自宅|家)(?:は|も)?(?:もう)?(?:知って|わかって|分かって|調べ(?:た|ついて))|(?:住所|自宅|家)(?:は|も)?(?:もう)?(?:(?:知って|わかって|分かって)(?:る|いる|ん)?(?:から(?:な|ね)|ぞ|ぜ|んだ(?:ぞ|から)|だから|よな|[!！…]*$)|調べ(?:た|ついて))|忘れないから(?:な|ね)|首を洗って|楽しみにしと(?:け|いて)|"
         r"(?:本名|住所|個人情報|顔写真|勤務先|家族構成)(?:を|も|まで)?\S{0,4}?(?:特定|晒|さら|公開|ばら|バラ|拡散|ネットに|調べ上げ|突き止め)",
         "お前の家族がどうなっても知らんぞ"),
    Rule("sexual_harassment_more", ABUSIVE, "high",
         r"下着(?:の色|何色|見せ|姿)|何色の(?:下着|パンツ)|セクハラ(?:したく|していい|させ)|パンツ(?:の色|何色|見せ)|何色のパンツ|おっぱい|胸(?:が)?(?:大き|でか|揉|触)|エッチ|エロ(?:い|そう|声)|"
         r"セックス|ヤら(?:せ|し)|抱(?:きたい|かせろ|かせて|いてあげ)|裸(?:の写真|見せ|になって)|"
         r"(?:付き合|つきあ)って(?:よ|ください(?!まし|ます)|くれ(?![てたる]))|彼女に(?:なって|したい)|結婚して(?:よ|ください|くれ)|"
         r"(?:個人的|プライベート)(?:な|の)?(?:連絡先|LINE|電話番号|で会)|(?:飲み|食事|ご飯|ごはん|デート)(?:に)?(?:行こう|いこう|行かない|いかない)|"
         r"(?:チャット|電話|オペ|オペレーター|店員|スタッフ|配達|担当|サポート)の(?:子|女の子|女|姉ちゃん|ねえちゃん|お姉さん)\S{0,20}?(?:LINE|連絡先|電話番号|インスタ)(?:を)?(?:教え|交換)|"
         r"(?:可愛|かわい|カワイ|美人|イケメン|タイプ)\S{0,30}?(?:連絡先|LINE|電話番号|インスタ)(?:を)?(?:教え|交換)|"
         r"興奮する|ムラムラ|声(?:が|も)?(?:タイプ|たまらない|そそる)|一目惚れ|彼氏(?:は)?(?:いる|いない)(?:の|ん|[?？])|色っぽい声|セクシーな声|声(?:だけ)?で(?:抜|興奮)|(?:君|きみ|あなた|あの子|お姉さん)の(?:写真|自撮り|顔)(?:を)?(?:送|見せ|見たい)",
         "お姉さんの声エロいね、今度飲みに行こうよ"),
    Rule("knows_where_they_are", ABUSIVE, "high",
         # the office, the warehouse or a staff member's home, known, with a visit or "what happens" next to it
         # (MHLW: intimidation without naming violence): 「御社の事務所の所在地は存じ上げておりますので、直接お伺い
         # することも」「今どのあたりに住んでいるかも大体知っていますから、会いに行っても」 (writers D and AA).
         # Knowing the address alone is no threat: 「所在地は知っていますが、返品を持っていくことはできますか」.
         r"(?:事務所|倉庫|会社|本社|店舗|所在地|お住まい|住んで(?:いる|る|らっしゃる)|最寄り(?:の)?駅)\S{0,16}?"
         r"(?:存じ上げて|調べ(?:が|は)つい|見当(?:が|は)つい|把握して|知って(?:いま|いる|る|ん|おり))|"
         r"(?<![A-Za-z])(?:jimusho|kaisha|souko|doko ni sunderu|sunde ?iru|juusho)\b.{0,20}?\bshitte(?:ru|iru|imasu)\b|"
         r"(?<![A-Za-z])(?:kaisha|mise|jimusho|souko)\s+no\s+mae\s+(?:de|ni)\b.{0,12}?\b(?:matteru|iru|kiteru)\b",
         "御社の事務所の所在地は存じ上げておりますので、直接お伺いすることも検討しております",
         requires=r"(?:お?伺(?:う|い|います|わせ|えれば)|会いに|(?:行|い)(?:きます|く)(?:から|ぞ|よ|かも|ので)|(?:行|い)っても(?:いい|良い)|参ります|参上|"
                  r"訪ね(?:ます|る)|どうな(?:る|って)|想像|覚悟|お考え|考えろ|待って(?:る|い)|いずれ|what happens|dou naru|ki wo tsukete|"
                  r"wakatteru|ignore)"),
    # 「御社の事務所が入っているビルの前を毎朝通っています。次に同じ返事が来たら直接お邪魔しますので」 (writer AC):
    # passing the office every day, with a visit if the answer repeats. Passing by to bring a return is not here.
    Rule("passes_the_office_and_will_visit", ABUSIVE, "high",
         r"(?:事務所|倉庫|会社|本社|店舗)\S{0,14}?(?:前|近く|そば)[、,]?\S{0,2}?(?:毎朝|毎日|毎晩|いつも)(?:通って|とおって)(?:い|お|る|ます)",
         "本社の前は毎朝通っています。同じ回答なら一度お邪魔しますね",
         requires=r"(?:たら|なら|れば|ようなら)[、,]?\S{0,12}?(?:お邪魔|伺|寄らせ|顔を出|行きます|行くから|参ります)"),
    Rule("staff_accounts_watched", ABUSIVE, "high",
         # a staff member's own accounts found and watched: 「その方のSNSも毎日拝見しております」 (writer AA)
         r"(?:担当|スタッフ|社員|店員|オペレーター|その方|あの方|staff)\S{0,12}?(?:SNS|インスタ|Instagram|Twitter|アカウント|accounts?)"
         r"\S{0,8}?(?:拝見して|見て(?:い|る|ます)|見つけ|特定し|チェックして)",
         "ご担当の方のSNSも毎日拝見しております"),
    Rule("veiled_threat_and_stalking", ABUSIVE, "high",
         r"(?:毎朝|毎日|毎晩|いつも)(?!\S{0,8}?(?:玄関|ポスト|郵便受け|宅配ボックス|追跡|配送状況|荷物|メール|サイト|アプリ|通知|ページ|在庫|インスタ|SNS|ブログ|動画|YouTube|お店の))"
         r"\S{0,8}?(?:見かけ|見てる|見張|(?:後を|あとを)つけて)|帰り(?:は|道は)?いつも|家の近く|見覚えある|"
         # somebody's home or workplace known, or a place known said as a threat: 「場所は知ってるからな」. A place known
         # alone is no threat: 「お店の場所は知っているので、直接取りに行っていいですか」 escalated before 2026-12-04.
         rf"{_WHOSE}の(?:住所|家|自宅|職場|勤務先|最寄り駅?)(?:、|は|を|も)?\s?(?:知っ(?:てる|とる|ている)|わかっ(?:てる|とる)|分かっ(?:てる|とる))|"
         r"(?:場所|住所|家|自宅|職場|勤務先)(?:、|は|を|も)?\s?(?:知っ(?:てる|とる|ている)|わかっ(?:てる|とる)|分かっ(?:てる|とる))"
         r"(?:から(?:な|ね)|ぞ|ぜ|んだ(?:ぞ|からな)|よな|[。!！…]*$)|"
         r"待っと(?:き|け)|待っとけ|気を(?:つけ|付け)た(?:方|ほう)がいい|"
         r"(?:インスタ|Twitter|ツイッター|SNS|X|Facebook|フェイスブック|TikTok|ティックトック)(?:を|も)?やってる(?:よね|でしょ)|"
         r"(?:お前|おまえ|あんた|てめえ|担当者?|オペレーター|店員|スタッフ|君|きみ)の(?:名前|本名)(?:で|を)(?:ググ|検索し)|(?:場所|住所|家|自宅|職場|事務所|倉庫)(?:は|も)(?:もう)?調べ(?:て(?:ある|あります|おいた|ついて)|済み|ついて)|"
         r"フォローしといた|(?:調べ|特定し)て(?:行く|いく|行って)|行ったろ(?:か|う)|行こうかな|(?:今から|そっち|店|支店)\S{0,4}?(?:行くからな|行ってやる)|"
         r"ただじゃ(?:おか|済ま|すま)|後悔(?:する|させる|することになる)(?:よ|ぞ|からな|ことに)|特定(?:完了|しました|済み|したよ)|"
         r"名前[、,]?\s?(?:は|を)?覚えた|声(?:は|を|も)?覚えた(?:ぞ|からな|から|よ)|(?:住所|名前|本名|顔|家)(?:も|まで)\S{0,10}?(?:全部|ぜんぶ)?(?:わかって|分かって|知って|調べて|控えて)(?:る|ある|いる)(?:から|ぞ|よ|んだ)|(?:電話番号|番号|住所)(?:も|は)?控えた(?:から|ぞ)|"
         r"人生(?:を)?(?:終わらせ|めちゃくちゃにし|潰し|狂わせ)(?:て(?:やる|やろ)|たる|るぞ)|社会的に(?:抹殺|殺|終わらせ)|"
         r"後(?:を)?(?:つけ|付け)(?:て(?:やる|やろ)|たる|たろ)|顔(?:、|を)?\s?(?:一回|一度)?見てみたい|ずーっと覚えて",
         "さっきの鈴木さん、毎朝駅で見かけてるよ。今日も会えるかな"),
    Rule("sexual_harassment_of_staff", ABUSIVE, "high",
         r"声(?:が|も)?(?:かわいい|可愛い|エロ|色っぽ|セクシー)|(?:若い)?女(?:の人|の子|性)?の声が聞きたい|"
         r"(?:担当|オペ|オペレーター)?の?女(?:を)?出せ|(?:男|女)じゃ話にならん|キャバ嬢|スタイル(?:良|よ|い)さそう|"
         r"写真(?:を)?送って(?:よ|ね|くれ)|今度会おう|会おうよ|何歳[?？]|デートしよ|"
         # 「Send me a selfie 😉 どこに住んでるの？」 (writer AC)
         r"\bsend\s+(?:me\s+)?(?:a\s+|your\s+)?selfies?\b|\b(?:pic|photo|picture)s?\s+of\s+(?:you|yourself)\b|"
         r"(?:自撮り|写メ|顔)(?:を)?(?:送って|見せて)(?:よ|ね|くれ|ちょうだい)|どこに住んで(?:る|いる)(?:の|ん)[?？]|どこ住み",
         "電話の女の人、声かわいいね。今度会おうよ。何歳？"),
    # ------------------------------------------------------------------
    # Asks for a person.
    # ------------------------------------------------------------------
    Rule("ask_for_person_more", HUMAN_REQUEST, "normal",
         r"(?:詳しい|対応できる|話の(?:わかる|分かる)|責任(?:の)?ある|権限のある|決められる|判断できる)(?:人|方|者|立場の(?:人|方))|"
         r"(?:カスタマー(?:センター|サポート)|サポートセンター|コールセンター|問い合わせ窓口|お客様(?:相談室|センター|窓口)|本社|電話窓口)"
         r"(?:に|と|へ)?\S{0,3}?(?:繋|つな|回|転送|電話|連絡|話|相談)|"
         r"(?:担当者?|担当の方|スタッフ|責任者|店長)(?:の方|様|さん)?(?:から|より)[、,]?(?:の|(?:私|わたし|こちら|こっち|自分|僕|俺)(?:の)?(?:携帯|スマホ|電話|番号)?(?:に|へ)(?:一度|一回|直接)?)?(?:折り返し(?:の)?)?(?:ご?連絡|電話|お電話|折り返し|ご?返答|お返事)(?:を)?(?:ください|下さい|ほしい|欲しい|お願い|"
         r"もら(?!っ|いまし)|いただ(?!きまし|いた)|頂(?!きまし|いた))|"
         r"(?:チャット)?ボット(?:じゃ|では|とは|と)?\S{0,4}?(?:話が通じ|埒|らち|会話にならな|話にならな)|(?:AI|機械|自動応答)(?:と|とは|相手)(?:じゃ|では|だと)?(?:話|会話)|"
         r"(?:定型文|テンプレ(?:回答|返信|の返事)?|同じ(?:回答|返事|答え))(?:ばかり|ばっか|じゃ|しか|は(?:もう)?いい|はいらない)|"
         r"\b(?:speak|talk|chat)\s+(?:to|with)\s+(?:a |an |the |your )?(?:someone|somebody|real|human|person|agent|representative|manager|supervisor|staff)|"
         r"\b(?:live|human|real)\s+(?:agent|person|support|staff)\b|\brepresentative\b|\bcall me\b|\bcall\s?back\b|"
         r"\b(?:talk|speak)\s+(?:to|with)\s+(?:a\s+|the\s+)?(?:担当者?|スタッフ|人間)|\bnot\s+(?:a\s+)?(?:bot|robot|AI)\b|"
         r"(?<![A-Za-z])(?:tantou(?:sha)?|hito|ningen|operator|staff)\b.{0,12}?\b(?:denwa|renraku)\s+(?:shite|kudasai|hoshii)|"
         # writer G: a call back (「コールバックお願いしまs」), in romaji (「tantousha kara denwa wo moraemasu ka」), and the
         # department that handles it asked for by name (「請求を担当している部署の方に、直接お話を聞いていただけないでしょうか」)
         r"(?<![A-Za-z])(?:tantou(?:sha)?|ningen|operator|staff)\s+kara\s+(?:denwa|renraku)\b.{0,6}?\b(?:moraemasu|moraeru|itadakemasu|onegai|hoshii|kudasai)|"
         r"コールバック(?:を)?\S{0,2}?(?:お願い|ください|下さい|ほしい|欲しい|して|頂|いただ|もらえ)|"
         r"(?:担当(?:している|する|の)?|専門の)(?:部署|部門|係)(?:の)?(?:方|人|者)?(?:に|と|から)\S{0,8}?(?:お話|話|相談|説明|連絡|電話)\S{0,10}?(?:いただけ(?!まし)|頂け(?!まし)|もらえ(?!まし)|させて|したい|ください|下さい|お願い)|"
         r"(?<![A-Za-z])denwa\s?de\s?hanashi(?:tai|taidesu)\b|"
         r"(?:人間|担当者?|責任者|スタッフ)が\S{0,4}?(?:電話|連絡)(?:して)?(?:こい|来い|しろ|よこせ)|話せる(?:人|方)(?:は|が)?(?:い(?:ます|ません)か|いる[?？])",
         "ボットじゃ話が通じない、詳しい人に代わって"),
    Rule("abuse_in_kana", ABUSIVE, "high",
         r"おぼえてろ|おぼえとけ|(?<![ぁ-ん])きさまら|まぬけ|のろま|ぼんくら|あほんだら|どあほ|ぼけなす|ばかたれ|あほたれ|くずども|くずやろう|かすども|ごみども|むのう|やくたたず|きちがい|くたばれ|きえろ|うせろ|ごみくず|にんげんのくず|きゅうりょうどろぼう|ばかやろ|あたま(?:わる|おかし)|のうたりん|ぽんこつ(?:しゃいん|てんいん|おぺ)|"
         r"(?:ふざけんな|ざけんな|なめんな)\s?(?:ぼけ|かす|くそ|あほ|ばか)|(?:おまえら|おまえ|おたく|てめえら)\s?(?:くず|かす|ごみ)(?:だな|やな|だろ|ども|が)|"
         # threats and demands written in kana alone (writers D and AA): the office's door, the staff's name, every day
         r"(?:じむしょ|事務所|かいしゃ|会社|みせ|店|そうこ|倉庫)\s?の?\s?(?:まえ|前)\s?(?:に|で)\s?\S{0,6}?(?:きてる|来てる|まってる|待ってる)|"
         r"(?:やつ|おまえ|たんとう(?:しゃ)?|すたっふ|てんいん|しゃいん|おぺれーたー|しゃちょう)\s?の\s?(?:なまえ|ほんみょう|ふるねーむ|じゅうしょ|じたく)"
         r"\s?(?:を|と)?[^。！？!?\n]{0,10}?(?:おしえろ|いえ(?![なまるばた])|だせ)|(?:まで|までは)\s?(?:まいにち|なんどでも|なんかいでも)\s?\S{0,6}?(?:でんわ|れんらく|おくる|かく)|"
         r"まいにち\s?(?:でんわ|れんらく)\s?(?:してやる|するからな|するぞ|したる)|"
         # writer G: 「ﾄﾞｺｶ ｼｯﾃﾙｶﾗﾅ ﾀﾀﾞｼﾞｬｵｶﾅｲ」「ｷｮｳｶﾗ ﾏｲﾆﾁ ﾃﾞﾝﾜｽﾙ ﾀﾞﾚｶｶﾞ ｱﾔﾏﾙﾏﾃﾞ ｾﾞｯﾀｲ ﾔﾒﾅｲ」「こえ かわいいね …かれし いる？」
         r"ただ\s?じゃ\s?(?:おかな|おかね|すまな|すまさな|すまね)|どこ(?:か|に)?\s?(?:しって|わかって)\s?(?:る|いる)\s?(?:からな|ぞ)|"
         r"(?:まいにち|まいあさ|まいばん|なんども|なんかいでも)\s?(?:でんわ|れんらく|めーる|かきこ)\S{0,20}?(?:(?<!いつ)まで|やめない|やめねー|やめません|つづけ)|"
         r"こえ\s?(?:が|も)?\s?(?:かわいい|かわいかった|えろ|せくしー|いろっぽ)\S{0,16}?(?:なんさい|かれし|らいん|line|れんらくさき|あいたい|でーと)|"
         r"かれし\s?(?:は)?\s?(?:いる|いない|おる)\s?(?:の)?\s?[?？]",
         "ﾑﾉｳ ｼｬｲﾝ ﾊﾞｶﾘ", kana_folded=True),
    Rule("demands_in_kana", EXCESSIVE_DEMAND, "high",
         # writers D and AA (2026-12-03): 「ｵﾜﾋﾞﾆ ｺﾚｶﾗ1ﾈﾝﾌﾞﾝ ﾀﾀﾞﾃﾞ ｵｸﾚ」「おわびに おなじもの ごこ ただで ください」
         # 「ｲｴﾉ ｶﾃﾞﾝ ｲｯｼｷ ﾀﾀﾞﾆｼﾛ」「しゃちょうがうちにあやまりにこい」「せいしんてき ひがいの ほしょう 30まん」
         r"(?:[0-9]+|いち|に|さん|ご|じゅう|一|二|三|五|十)\s?(?:ねん|年)(?:ぶん|分|かん|間)\S{0,12}?(?:ただ|むりょう|無料|ぜんがく|全額)|"
         r"(?:ねん|年)(?:ぶん|分)\s?の\s?\S{1,8}?\s?(?:を|お)?\s?(?:ください|くれ|よこせ|ちょうだい|おくれ)|"
         r"(?:おわび|詫び|つぐない)に?[^。！？!?\n]{0,14}?(?:[2-9]|[0-9]{2,}|さん|よん|ご|ろく|じゅう|二|三|四|五|六|十)\s?(?:こ|個|つ|だい|台|せっと|くみ|組|はこ|箱)"
         r"(?:ずつ)?\s?\S{0,8}?(?:ください|くれ|おくれ|よこせ|ちょうだい|おくって|送って|ただ|むりょう|無料)|"
         r"(?:おまけ|omake)\s?(?:で|に|de|ni)\s?\S{0,12}?(?:も|mo)?\s?(?:つけて|付けて|おくって|送って|okutte|tsukete)|"
         r"(?:いっしき|一式|ぜんぶ)\s?(?:を)?\s?(?:ただ|むりょう|無料)\s?(?:に|で)\s?(?:しろ|して|せよ)|"
         r"(?:しゃちょう|せきにんしゃ|てんちょう|たんとうしゃ)?\s?(?:が|を)?\S{0,6}?(?:あやまりに|しゃざいに|おわびに)\s?(?:こい|きて|きなさい|こいよ|くること(?!に)|くるように|くるべき)|"
         r"(?:しゃちょう|せきにんしゃ|てんちょう)\s?(?:が|を|は)?\s?(?:いえ|うち|じたく)\s?(?:まで|に|へ)\s?"
         r"(?:こい|きなさい|きて\s?\S{0,6}?(?:あやまれ|わびろ|かえせ|はらえ|あやまりなさい))|"
         r"せいしんてき[^。！？!?\n]{0,12}?(?:ほしょう|ばいしょう|せいきゅう|はらえ|[0-9]+\s?(?:まん|万|えん|円))",
         "ｵﾜﾋﾞﾆ ｺﾚｶﾗ1ﾈﾝﾌﾞﾝ ﾀﾀﾞﾃﾞ ｵｸﾚ", kana_folded=True),
    Rule("year_free_in_words", EXCESSIVE_DEMAND, "high",
         # a year of everything free, in kanji or English: 「今後一年間の私の買い物を全額負担してください」
         r"(?:[0-9一二三五十]+)\s?年(?:分|間)(?:の)?\S{0,10}?(?:free|全額負担|全額(?:を)?(?:負担|持って)|無料に|タダに)|"
         r"\b(?:a|one|1)\s?year(?:'s)?\s+(?:of\s+)?free\b|\bfree\b.{0,20}?\bfor\s+(?:a|one|1)\s+year\b",
         "責任を取って今後一年間の私の買い物を全額負担してください",
         requires=r"(?:詫び|責任|compensation|Compensation|補償|迷惑|償|request|ください|しろ|して)"),
    Rule("scheme_in_kana", FRAUD_SCHEME, "high",
         r"(?:せんでん|しょうかい|れびゅー|とうこう|ぴーあーる)\s?(?:の|する)?\s?(?:しごと|ばいと|ふくぎょう|あんけん)|"
         r"ふくぎょう.{0,16}?(?:ほうしゅう|とうろくりょう|いわれ|さそわれ|みぶんしょう|めんきょ|ほけんしょう|こうざ|てすうりょう|かった|かいました|ちゅうもん)|"
         r"みっしょん.{0,24}?(?:ほうしゅう|かった|かいました|ちゅうもん|こうにゅう|てすうりょう|いわれ)|"
         r"もにたー\s?(?:の\s?)?(?:しごと|ほうしゅう|あんけん|ぼしゅう|とうろく|ふくぎょう)|"
         r"あんばさだー.{0,24}?(?:ひと|ほうしゅう|ぼしゅう|とうろく|しごと|きかく|いわれ|さそわれ|かった|かいました|らいん|ほんとう|ほんと)|"
         # 「いんすたの ひとに いわれて ていきびん もうしこんだ。あとで おかね かえすって」「写真を送るとお金がもらえる」
         r"(?:あとで|あとから|後で)\s?(?:おかね|お金|だいきん|代金|ぜんがく|全額)\s?(?:を|が|は)?\s?(?:かえす|返す|かえって|もどる|戻る|もどって|ふりこ)|"
         r"(?:しゃしん|写真|すくしょ)\S{0,4}?(?:おくる|送る|おくれば|送れば|おくったら|送ったら|のせると|載せると)(?:と)?\S{0,4}?(?:おかね|お金|ほうしゅう|報酬)\s?(?:が|を)?\s?(?:もらえ|貰え|はい|入)",
         "ｼｮｳﾋﾝ ﾉ ｾﾝﾃﾞﾝ ﾉ ｼｺﾞﾄ ﾃﾞ ﾒﾝｷｮ ﾉ ｼｬｼﾝ ｵｸｯﾀ ｵﾐｾ ﾉ ﾋﾄ ﾀﾞｯﾀ?", kana_folded=True, guarded=False),
    Rule("prefer_a_person", HUMAN_REQUEST, "normal",
         r"(?:人|人間|オペレーター|担当者?|スタッフ|有人)(?:による|の|での)?(?:対応|回答|返答|返信|サポート)(?:を|に)?(?:希望|お願い|求め|切り替え|して(?:ほしい|ください)|(?:は|って)?(?:可能|でき(?:ます|ません)か))|"
         r"(?:オペレーター|担当者|有人|人間)(?:対応)?(?:を)?希望|本物の(?:人|人間|スタッフ)|"
         r"(?<![友知本個犯住主老商大恋他成素新職役名病達芸証])(?:人|人間|スタッフ)(?:が|間が)(?:返信|対応|見て|読んで|返事|回答)(?:して)?(?:る|ます|いる)(?:の|ん|か)|"
         r"(?:AI|ボット|bot|機械|自動(?:応答|返信)?)(?:は|とは|の回答は)?(?:もういい|いい加減|結構|要らない|いらない|無理)|"
         r"電話(?:で)?(?:したい|問い合わせ(?:たい|したい)|かけたい|かけても(?:いい|良い)|しても(?:いい|良い|よろしい))|"
         r"もう(?:AI|ボット|bot|機械|自動応答)(?:は|とは)(?:いい|結構)|(?:AI|ボット|bot|ロボット|機械)(?:と|とは)(?:話|会話|やりとり|やり取り)(?:し)?たくない",
         "有人対応を希望します"),
    Rule("ask_for_person_in_kana", HUMAN_REQUEST, "normal",
         r"(?:たんとう(?:しゃ)?|おぺれーたー?|せきにんしゃ|にんげん|ひと|すたっふ|てんちょう|じょうし|しゃちょう)\s?(?:さん|さま)?\s?(?:に|と|を)?\s?"
         r"(?:(?:かわ|代わ|替わ)(?:って|れ)|(?:はなし|話し)(?:たい|させ)|はなせ|だして|だせ|(?:つない|繋い)で|(?:よん|呼ん)で|おねがい)|"
         # is there a person at all (「ｼﾞﾝｲﾝ ｲﾏｽｶ?」), as ask_for_person's いますか in kanji
         r"(?:じんいん|にんげん|おぺれーたー?|たんとうしゃ|すたっふ|なかのひと)\s?(?:さん)?\s?(?:は|が)?\s?(?:い(?:ます|ません)か|いる\s?[?？]|いない\s?[?？]|おる\s?[?？])|"
         # 「にんげんの かたに かわって」「でんわくださいい」「でんわで はなせる ひと いますか」 (writers D and AA)
         r"(?:にんげん|たんとう(?:しゃ)?|すたっふ)\s?の\s?(?:かた|ひと)\s?(?:に|と)\s?(?:かわ|代わ|替わ|はなし|話し)|"
         r"でんわ\s?(?:を)?\s?(?:ください|くれ|ちょうだい|ほしい|して(?:ください|ほしい|くれ))|はなせる\s?(?:ひと|かた)\s?(?:は|が)?\s?(?:い(?:ます|ません)か|いる)",
         "ﾀﾝﾄｳｼｬ ﾆ ｶﾜｯﾃ", kana_folded=True),
    Rule("sexual_harassment", ABUSIVE, "high",
         r"(?:君|きみ|あなた|お姉さん|おねえさん|オペレーターさん|店員さん|担当さん|スタッフさん)\S{0,6}?"
         r"(?:何歳|彼氏|独身|可愛い|かわいい|美人|声(?:が|も)?(?:かわいい|可愛い|エロ|色っぽ|セクシー)|会いたい|会おう|"
         r"連絡先|LINE(?:教え|交換)|デート)|下着の色|スリーサイズ|エロい声|胸(?:の)?(?:サイズ|大き)",
         "オペレーターさん声かわいいね、彼氏いるの？"),
    Rule("ask_for_person_indirectly", HUMAN_REQUEST, "normal",
         r"(?<![友知本個犯住主老商大恋他成素新職役名病達芸証])(?:人|人間|スタッフ|担当者?|オペレーター)(?:が|に|で)(?:対応|回答|返信|返答|確認|判断)(?:して)?"
         r"(?:くれませんか|くれない[?？か]|もらえ(?:ます|ません)か|いただけ(?:ます|ません)か|ほしい|欲しい|ください|お願い)|"
         r"(?<![友知本個犯住主老商大恋他成素新職役名病達芸証])(?:人|人間|担当者|スタッフ)の(?:判断|回答|返事|意見|目)(?:が|を)(?:欲しい|ほしい|お願い|希望|求め)|"
         r"(?<![友知本個犯住主老商大恋他成素新職役名病達芸証])(?:人|人間|有人)(?:じゃない|でないと|じゃなきゃ)(?:と)?(?:無理|ダメ|だめ|わからない|分からない|解決しない)|人力(?:で|対応)|人の手で|"
         r"(?:担当者?|担当の方|スタッフ|責任者|店長|人間)(?:さん|様|の方)?(?:から|より)(?:直接)?(?:ご)?(?:説明|回答|連絡|返事)(?:を)?(?:して)?(?:ほしい|欲しい|ください|下さい|もらいたい|いただきたい|いただきたく|お願い)(?!と)|"
         r"(?:人間|有人|生身の人間?)(?:が|の方が|のほうが)(?:いい|良い)|(?:ロボット|ボット|AI|機械)[?？]\s?人間[?？]|"
         r"(?:AI|ボット|ロボット|機械)(?:は|じゃ)(?:いや|嫌|やだ)|(?:君|きみ)(?:じゃ|では)(?:無理|ダメ|だめ|話にならない|わからない)|"
         r"直接(?:やり取り|やりとり|話|お話|相談|連絡)(?:を)?(?:させて|したい|したく|できませんか|お願い)|"
         r"チャット(?:じゃ|では)(?:伝わらない|無理|埒|らち|話にならない|わからない|分からない)|"
         r"サポート(?:担当|窓口|の人|の方|チーム)?(?:に|と)(?:(?:繋|つな)(?:いで|げ|ぎ)|(?:代わ|かわ)(?:って|れ))|"
         r"(?:お)?電話(?:で|にて)(?:ご|お)?(?:相談|説明|話)" + _PAST_CALL + r"|電話(?:の方|のほう)?が(?:話が)?(?:早|はや)(?!口)|"
         r"お電話(?:を)?(?:いただけ(?:ます|ません)か|いただきたい|ください|下さい|ほしい|欲しい|もらえ(?:ます|ません)か|頂戴(?:でき|したい|したく))|"
         r"電話(?:窓口|番号)(?:って|は)?(?:ないんですか|ないの|ありませんか|ある[?？])",
         "ロボットの回答は求めてない。人の判断が欲しい"),
    Rule("ask_for_person", HUMAN_REQUEST, "normal",
         r"(?:(?<![友知本個犯住主老商大恋他成素新職役名病達芸証])(?:人|人間)|生身の人間?|オペレーター|オペレータ|担当者?|担当の(?:方|人|者)|スタッフ(?:の(?:方|人))?|"
         r"責任者|上司|上長|管理者|スーパーバイザー|上の(?:人|者|方)|店長|社長|社員(?:の(?:方|人))?|係(?:の(?:人|方))?|窓口の(?:方|人)|"
         r"中の人|誰か|だれか|マネージャー|マネジャー|先輩|ベテラン|(?:担当|専門)?部署|専門の(?:方|人)|実際の(?:人間?|担当者|スタッフ)|リアルな人|オペ(?!レ)|"
         r"サポートの(?:方|人)|有人|ちゃんとした人|まともな人|わかる人|分かる人)(?:さん|様|の(?:方|人|者))?(?:[、,]\s?)?(?:と|に|を|が|って|は)?(?:直接|お?電話で|メールで)?"
         r"(?:話(?:し(?:たい|させ)|させ|せる|せます|せない)|お?話し(?:したい|させ|でき)|お話(?:を)?(?:したい|させ|でき)|"
         r"(?:代|か|替|変|換)わ(?:って|れ|ってほしい|ってもらえ|りたい|っていただ)|"
         r"(?:繋|つな)(?:いで|げ|いでほしい|いでもらえ|いでいただ)|お(?:繋|つな)ぎ|回(?:して|せ)|"
         r"(?:出|だ)(?:せ|して|てこい|てきて|ていただ)|呼(?:んで|べ)|話す(?=[!！。]|$)|"
         r"(?:ご)?(?:対応|相談)(?:を)?(?:して(?:ほしい|ください|もらいたい|もらえ)|お願い|したい|させ)|"
         r"お願い(?:します|したい|できますか|できません|です|[!！。]|$|(?=[^\w\s]))|いる[?？]|いない(?:の|ん|[?？])|はいない|"
         r"おら(?:ん|へん|ない)|おる[?？]|(?:直接)?聞き(?:たい|たく)|お?取り?次(?:ぎ|い)|お?話し(?:したく|させていただきたく)|"
         r"(?:直接)?(?:(?:やり取り|やりとり)(?:し)?|連絡を取り|確認し)(?:たい|たく)|(?:見て|確認して|判断して|教えて)(?:ほしい|欲しい|もらいたい|もらえ(?:ます|ません)か|いただけ(?:ます|ません)か|いただけない|いただきたい|ください)|頼(?:む|みます|んだ)|"
         r"(?:ご)?(?:確認|判断)(?:を)?いただけ(?:ます|ません)か|電話(?:させ|して(?:もら|いただ|ください|ほしい)|を(?:ください|させ))|助けて|たすけて|"
         r"(?:喋|しゃべ)(?:りたい|らせ|れ(?:る|ます))|相談に乗って(?:もら|ほし|ください|くれ|いただ)|会話(?:したい|させ|を(?:したい|させ))|チャット(?:したい|させ)|引き?継(?:いで|ぎ)|切り?替え(?:て|られ|可能|でき)|"
         r"いらっしゃ(?:います|いませんか|る[?？])|おられ(?:ます|ません)か|い(?:ます|ません)か|話(?:が|を)(?:したい|させ|できま)|"
         r"(?:お)?話(?:を)?聞いて(?:もらい|ほしい|欲しい|ください|いただ)|会わせ(?:ろ|て)|(?:代|替|変|換)え(?:て|ろ))|"
         r"オペレーター[!?！？]*$|(?<![A-Za-z])operator(?![A-Za-z])|human (?:please|agent|operator)|real person|"
         r"talk to (?:a )?(?:human|person)|hito to hanash|ningen to hanash|ningen ni kawa|tantou(?:sha)? ni|"
         r"電話で(?:直接)?(?:話|説明|相談|対応|お話)" + _PAST_CALL + r"|電話(?:を)?(?:ください|下さい|して(?:ください|ほしい|欲しい|もらえ|くれ))|"
         r"折り返し(?:の)?(?:電話|連絡|お電話)(?!(?:を|は)?(?:いただき|頂き|もらい|もらっ|いただい|頂い)|\S{0,3}?ありがと)|"
         # 「折り返しください」「後で電話ちょうだい」「orikaeshi denwa onegaishimasu」 (2026-12-04 review)
         r"折り返し(?:の)?(?:ご連絡)?(?:を)?(?:ください|下さい|お願い|ちょうだい|ほしい|欲しい)|(?<!詫びの)(?<!謝罪の)電話(?:を)?ちょうだい|"
         r"(?<![A-Za-z])orikaeshi\b.{0,12}?\b(?:onegai|kudasai|hoshii)|(?<!業者の)(?<!配達員の)(?<!配達員さんの)(?<!ドライバーの)電話番号(?:を)?教え|ボットじゃ(?:なくて|話にならない)|機械じゃ(?:なくて|話にならない)|"
         r"自動(?:応答|返信)(?:は)?(?:もういい|じゃ)|有人(?:対応|チャット)|チャットじゃなくて|"
         r"(?:AI|ロボット|ボット|bot|機械|自動応答)(?:じゃ|では)(?:なくて|話にならない|無理|だめ|ダメ|わからない|埒が明かない|らちがあかない)|"
         r"直接(?:話|お話|相談)(?:し|さ)?(?:たい|させ)|電話(?:で|で直接)?(?:できますか|対応(?:は)?(?:して|できま))|"
         r"(?<!業者の)(?<!配達員の)(?<!ドライバーの)電話(?:窓口|番号)(?:は|を)?(?:ありますか|教えて|知りたい)|電話(?:の方|のほう)?が(?:いい|良い|早い)",
         "オペレーターに代わってください"),
)

_COMPILED: tuple[tuple[Rule, re.Pattern, re.Pattern | None], ...] = tuple(
    (rule, re.compile(rule.pattern, re.IGNORECASE),
     re.compile(rule.requires, re.IGNORECASE) if rule.requires else None)
    for rule in RULES
)

# ----------------------------------------------------------------------
# Detection.
# ----------------------------------------------------------------------

@dataclass(frozen=True)
class Hit:
    rule: Rule
    evidence: tuple[str, ...]
    start: int


def rule_hits(text: str, order_total: int | None = None) -> list[Hit]:
    """Every rule that fires on the (already normalised) text, with its evidence.

    A message written a word at a time (「返品担当 の フルネーム と 顔写真 送って」, 「宣伝の、お仕事を、
    すると」) is read a second time with the gaps closed (``bot.text.without_word_gaps``): a row that does
    not fire on the text as written may fire there, quoting its evidence from that reading.
    """
    hits = []
    readings = _readings(text)
    for rule, regex, requires in _COMPILED:
        for reading, folded in readings:
            hit = _first_hit(rule, regex, requires, reading, folded, order_total)
            if hit is not None:
                if reading != text:
                    hit = Hit(hit.rule, tuple(_as_written(e, text) for e in hit.evidence), hit.start)
                hits.append(hit)
                break
    return hits


def _readings(text: str) -> list[tuple[str, str]]:
    """The text as written and, when it is written a word at a time, with the gaps closed; each with its
    kana-folded form (spans stay valid between the two)."""
    joined = without_word_gaps(text)
    return [(reading, fold_kana(reading)) for reading in ((text, joined) if joined != text else (text,))]


def _as_written(words: str, text: str) -> str:
    """Evidence read with the word gaps closed, quoted as the customer wrote it (「1ネンブン タダ」): the agent
    finds it in the message, and the answer's check against its evidence holds."""
    found = re.search(r"[\s、,，]*".join(map(re.escape, words)), text)
    return found.group(0) if found else words


def _first_hit(rule: Rule, regex: re.Pattern, requires: re.Pattern | None, text: str, folded: str,
               order_total: int | None) -> Hit | None:
    """The row's first match in ``text`` that passes its guards, requirement and amount check."""
    for match in regex.finditer(folded if rule.kana_folded else text):
        if rule.guarded and (negated(text, match) or reported(text, match)):
            continue
        evidence = [text[match.start():match.end()].strip()]
        if requires is not None:
            if rule.requires_in_sentence:
                needed = requires.search(text, *sentence_around(text, match.start(), match.end()))
            else:
                needed = requires.search(text)
            if needed is None:
                continue
            evidence.append(needed.group(0))
        if rule.amount_check:
            amount = excessive_amount(text, match, order_total, rule.amount_check)
            if amount is None:
                continue
            evidence.append(amount.text)
        return Hit(rule, tuple(e for e in evidence if e), match.start())
    return None


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


def detect_escalation(text: str, order_total: int | None = None, intent: str | None = None,
                      intent_confidence: float = 1.0) -> Escalation:
    """Decide whether a person must take ``text``.

    The rules decide first. When none fires, the language model's top
    ``intent`` (one of its escalation intents, at least
    ``MODEL_ESCALATION_CONFIDENCE`` sure, a request for a person at least
    ``MODEL_HUMAN_REQUEST_CONFIDENCE``) escalates on its own, so wordings
    the rules have never seen still reach a person; its evidence says so
    (``intent:abusive 0.93``). A message the rules judged harmless because
    of negation or reported speech is not escalated by the model either.
    """
    norm = normalise(text or "")
    scheme_not_theirs = not_involved(norm)
    hits = [h for h in rule_hits(norm, order_total) if not (scheme_not_theirs and h.rule.reason == FRAUD_SCHEME)]
    candidates = [(_rank(h.rule.reason, h.rule.severity), h) for h in hits]
    model_reason = REASON_OF_INTENT.get(intent or "")
    model_sure = model_reason is not None and intent_confidence >= (
        MODEL_HUMAN_REQUEST_CONFIDENCE if model_reason == HUMAN_REQUEST else MODEL_ESCALATION_CONFIDENCE)
    if not candidates:
        if model_sure and not _model_word_taken_back(norm, model_reason, scheme_not_theirs):
            model_evidence = f"{EVIDENCE_OF_MODEL}{intent} {intent_confidence:.2f}"
            if model_reason != FRAUD_SCHEME:
                return Escalation(True, model_reason, "normal", (model_evidence,))
            # The scheme's answer (188, stop paying) is only for a message that speaks of the scheme:
            # the model's word alone must not tell someone posing as the police to call 188.
            words = _scheme_words(norm)
            if words is not None:
                severity = "urgent" if _fraud_loss(norm) >= URGENT_FRAUD_LOSS else "normal"
                return Escalation(True, FRAUD_SCHEME, severity,
                                  _dedupe([words, *(a.text for a in amounts_in(norm)), model_evidence]))
        return NO_ESCALATION
    best_rank = min(rank for rank, _ in candidates)
    chosen = sorted((h for rank, h in candidates if rank == best_rank), key=lambda h: h.start)
    reason = chosen[0].rule.reason
    severity = max((h.rule.severity for h in chosen), key=SEVERITIES.index)
    evidence = [e for h in chosen for e in h.evidence]
    if reason == FRAUD_SCHEME:
        evidence += [a.text for a in amounts_in(norm)]
        if _fraud_loss(norm) >= URGENT_FRAUD_LOSS:
            severity = "urgent"
    if reason == HUMAN_REQUEST and intent == HUMAN_INTENT:
        evidence.append(f"{EVIDENCE_OF_MODEL}{HUMAN_INTENT}")
    return Escalation(True, reason, severity, _dedupe(evidence), _dedupe([h.rule.name for h in chosen]))


def _model_word_taken_back(norm: str, model_reason: str, scheme_not_theirs: bool) -> bool:
    """Whether the message itself takes back what the model read in it.

    A request for a person only by saying none is wanted (the model's word is taken at less for it); the
    scheme by reported speech or a denial (being told is the victim's own story) or by the writer saying
    it did not reach them; a demand or a threat by reported speech or a denial anywhere.
    """
    if model_reason == HUMAN_REQUEST:
        return no_person_wanted(norm)
    if model_reason == FRAUD_SCHEME:
        return scheme_not_theirs or guarded_anywhere(norm, told_is_own=True)
    return guarded_anywhere(norm)


def handover_decision(text: str, order_total: int | None, model_intent: str | None,
                      model_confidence: float, flagged: dict | None = None) -> Escalation:
    """Why a conversation that the dialogue sent to people goes to them (always escalates).

    The message is judged again with the verified order's value when there is
    one. When that no longer escalates (the model asked for a person, or the
    order's value makes the amount look reasonable), a person still reads a
    message the NLU flagged: the safe side. The reason then comes from what the
    NLU flagged (``flagged``: the parse data's ``escalation``), else the model's
    escalation intent, else a plain request for a person.
    """
    escalation = detect_escalation(text, order_total, model_intent, model_confidence)
    if escalation.escalate:
        return escalation
    found = flagged or {}
    if found.get("reason") in REASONS:
        return Escalation(True, found["reason"], found.get("severity") or "normal",
                          tuple(found.get("evidence") or ()), tuple(found.get("rules") or ()))
    if model_intent in REASON_OF_INTENT:
        return Escalation(True, REASON_OF_INTENT[model_intent], "normal",
                          (f"{EVIDENCE_OF_MODEL}{model_intent} {model_confidence:.2f}",))
    return Escalation(True, HUMAN_REQUEST, "normal", ())


def _scheme_words(norm: str) -> str | None:
    """The first words of the scheme in the message, as written, or None.

    Read as written, then with the gaps of a message written a word at a time closed (「もにたー、という、
    もの」), each also kana-folded for the words customers write in kana or romaji.
    """
    for reading, folded in _readings(norm):
        words = next((m for m in _SCHEME_WORDS.finditer(reading)
                      if m.group(0) != "案件" or _SCHEME_CASE.search(reading)), None)
        if words is None:
            words = _SCHEME_WORDS_FOLDED.search(folded)
        if words is not None:
            return _as_written(reading[words.start():words.end()], norm)
    return None


def _fraud_loss(norm: str) -> int:
    return sum(a.value for a in amounts_in(norm))

