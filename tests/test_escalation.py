"""Escalation detection (bot.triage.escalation): the rule table, the hard cases, and quality.

Pure Python, no model, in well under a second — except the held-out quality
test, which runs rules + the trained language model as the assistant does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.triage import NluResult, Triage, issue_type_of, triage
from bot.triage.escalation import (
    ABUSIVE, EVIDENCE_OF_MODEL, EXCESSIVE_DEMAND, FRAUD_SCHEME, HUMAN_INTENT, HUMAN_REQUEST, NONE, REASON_OF_INTENT,
    REASONS,
    RULES, Escalation, detect_escalation, handover_decision,
)
from bot.config import PROJECT_ROOT
from bot.triage.guards import guarded_anywhere
from bot.triage.quality import load_examples, measure

DATA = Path(__file__).parent / "data"
DEV_SET = DATA / "escalation_dev.yml"
# Written independently of the rules, in different phrasing (insults, veiled threats, fraud wording, hard negatives).
DEV_MORE_SET = DATA / "escalation_dev_more.yml"
# A fourth writer: synonyms, euphemisms, indirect phrasing, the fraud scheme from the victim's side.
DEV_FOURTH_SET = DATA / "escalation_dev_fourth.yml"
DEV_SETS = (DEV_SET, DEV_MORE_SET, DEV_FOURTH_SET)
HELD_OUT_SET = DATA / "escalation_eval.yml"

MIN_RECALL = 0.95
MIN_PRECISION = 0.85


# ---------------------------------------------------------------------------
# The rule table, example by example.
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_every_rule_example_detects_its_reason(rule):
    result = detect_escalation(rule.example, rule.example_order_total)
    assert result.escalate, rule.name
    assert result.reason == rule.reason, (rule.name, result)


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_every_rule_fires_on_its_own_example_with_its_severity(rule):
    from bot.text import normalise
    from bot.triage.escalation import rule_hits

    hits = [h for h in rule_hits(normalise(rule.example), rule.example_order_total) if h.rule is rule]
    assert hits, f"rule {rule.name} does not fire on its own example"
    assert hits[0].evidence, rule.name


def test_rule_names_are_unique_and_every_reason_has_rules():
    names = [r.name for r in RULES]
    assert len(names) == len(set(names))
    assert {r.reason for r in RULES} == set(REASONS)


def test_the_rule_for_dogeza_is_found_by_searching_for_the_word():
    assert any("土下座" in r.pattern for r in RULES if r.reason == EXCESSIVE_DEMAND)


# ---------------------------------------------------------------------------
# Hard cases.
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "SNSで晒すと言っている人がいた",
    "友達が、慰謝料を請求したら払ってくれたって聞いた",
    "知人が店員に殺すぞと言われたらしいです",
    "ネットで土下座を要求する客のニュースを見ました",
])
def test_reported_speech_is_not_a_threat_by_the_writer(text):
    assert detect_escalation(text) == Escalation(False, NONE, "normal", ())


@pytest.mark.parametrize("text", [
    "晒すつもりはない",
    "慰謝料は要らないので、早く代わりを送ってください",
    "土下座しろとは言いませんが、一言謝ってほしい",
    "別に補償を求めてるわけじゃないです",
])
def test_negated_demands_and_threats_do_not_escalate(text):
    assert not detect_escalation(text).escalate


def test_a_negated_demand_does_not_hide_a_real_one_in_the_same_message():
    result = detect_escalation("慰謝料は要らないけど、10万円の商品券をよこせ", order_total=3980)
    assert result.reason == EXCESSIVE_DEMAND
    assert "10万円" in result.evidence


@pytest.mark.parametrize("text, order_total", [
    ("15万円のノートパソコンが壊れて届きました。全額返金してください", 150000),
    ("15万円のノートパソコンが壊れて届きました。全額返金してください", None),
    ("15万円返してください", None),
    ("送料込みで5,500円返金してください", 4980),
])
def test_a_large_but_reasonable_refund_does_not_escalate(text, order_total):
    assert not detect_escalation(text, order_total).escalate


def test_compensation_far_beyond_the_order_value_is_excessive():
    result = detect_escalation("配達が遅れたので10万円の商品券を送ってください", order_total=3980)
    assert (result.reason, result.severity) == (EXCESSIVE_DEMAND, "high")
    assert "10万円" in result.evidence and "商品券" in result.evidence


def test_compensation_amount_threshold_depends_on_the_order_value():
    assert not detect_escalation("お詫びに5000円分のクーポンをください", order_total=3980).escalate
    assert detect_escalation("お詫びに5万円分のクーポンをください", order_total=3980).escalate
    assert detect_escalation("補償として3万円ください").escalate          # order value unknown
    assert not detect_escalation("補償として2万円ください").escalate


def test_a_refund_above_the_order_value_is_excessive_only_when_far_above():
    assert not detect_escalation("6,000円返金してください", order_total=4980).escalate
    assert detect_escalation("20万円返金しろ", order_total=3980).reason == EXCESSIVE_DEMAND


def test_a_polite_excessive_demand_is_excessive():
    result = detect_escalation("大変恐縮ですが精神的苦痛に対して30万円をお支払いいただけますでしょうか")
    assert result.reason == EXCESSIVE_DEMAND
    assert "精神的苦痛" in result.evidence and "30万円" in result.evidence


@pytest.mark.parametrize("text", [
    "さすが一流企業ですね、3週間も届かないなんて素晴らしいサービスです👏",
    "神対応ありがとうございます（棒）",
    "ふざけるな！もう2週間も届かないんだけど😡",
    "詐欺かよ、金払ったのに商品届かねえ",
    "バカにしてるんですか？説明が全然違う",
])
def test_sarcasm_and_angry_legitimate_complaints_do_not_escalate(text):
    assert not detect_escalation(text).escalate


@pytest.mark.parametrize("text", [
    "モニターが映らない", "ﾓﾆﾀｰの画面にドット抜けがあります", "サブモニターとして使いたいのですが",
])
def test_monitor_meaning_a_screen_is_not_fraud(text):
    assert not detect_escalation(text).escalate


@pytest.mark.parametrize("text", [
    "モニターに応募して商品を買いましたが報酬がまだです",
    "モニター募集の案件で5点購入しました",
])
def test_monitor_jobs_are_fraud(text):
    assert detect_escalation(text).reason == FRAUD_SCHEME


def test_a_customer_who_suspects_the_scheme_is_sent_to_the_fraud_desk():
    result = detect_escalation("SNSで宣伝すると報酬がもらえるというDMが来たのですが、詐欺でしょうか")
    assert (result.reason, result.severity) == (FRAUD_SCHEME, "high")
    assert "詐欺" in result.evidence


def test_fraud_losses_of_100000_yen_or_more_are_urgent():
    result = detect_escalation("指定の通販サイトで買ってSNSで宣伝すれば代金と報酬を払うと言われ、合計12万円払いました")
    assert (result.reason, result.severity) == (FRAUD_SCHEME, "urgent")
    assert "12万円" in result.evidence
    assert detect_escalation("報酬が振り込まれない。3万円分買ったのに").severity == "high"


def test_follower_counts_are_not_fraud_losses():
    result = detect_escalation("フォロワー10万人のインフルエンサーです。商品を無料で提供してください")
    assert (result.reason, result.severity) == (FRAUD_SCHEME, "high")


def test_threats_of_violence_are_urgent_and_beat_every_other_reason():
    result = detect_escalation("慰謝料10万円払え、払わないならSNSで晒す。担当者殺すぞ")
    assert (result.reason, result.severity) == (ABUSIVE, "urgent")
    assert "殺す" in result.evidence


def test_priority_fraud_over_excessive_demand_over_abuse_over_human_request():
    assert detect_escalation("報酬が振り込まれない、慰謝料も払え").reason == FRAUD_SCHEME
    assert detect_escalation("無能、土下座しろ").reason == EXCESSIVE_DEMAND
    assert detect_escalation("バカか、責任者を出せ").reason == ABUSIVE


def test_threat_to_post_unless_demands_are_met_is_excessive_demand():
    result = detect_escalation("10万円払わないならSNSで晒す")
    assert result.reason == EXCESSIVE_DEMAND
    assert "ないなら" in result.evidence


def test_human_request_from_text_or_from_the_nlu_intent():
    assert detect_escalation("オペレーターに代わってください") == Escalation(
        True, HUMAN_REQUEST, "normal", ("オペレーターに代わって",))
    by_intent = detect_escalation("お願いがあるのですが", intent="request_human")
    assert (by_intent.reason, by_intent.severity) == (HUMAN_REQUEST, "normal")
    assert by_intent.evidence == ("intent:request_human 1.00",)


def test_the_models_escalation_intent_escalates_alone_only_when_sure():
    text = "いい加減にしてくれへんか、ほんまに"  # no rule knows this wording
    assert detect_escalation(text) == Escalation(False, NONE, "normal", ())
    sure = detect_escalation(text, intent="abusive", intent_confidence=0.93)
    assert (sure.escalate, sure.reason, sure.evidence) == (True, ABUSIVE, ("intent:abusive 0.93",))
    assert not detect_escalation(text, intent="abusive", intent_confidence=0.6).escalate


def test_the_model_alone_does_not_escalate_reported_speech_or_a_denial():
    assert not detect_escalation("友達が晒してやるって言ってたけど、私は普通に交換してほしいだけです",
                                 intent="excessive_demand", intent_confidence=0.95).escalate
    assert not detect_escalation("そんなことをするつもりはないです", intent="abusive", intent_confidence=0.95).escalate


def test_a_fraud_loss_makes_a_model_only_fraud_escalation_urgent():
    found = detect_escalation("言われた通り50万円分買ったのに、その後まったく返事がありません",
                              intent="fraud_scheme", intent_confidence=0.9)
    assert (found.reason, found.severity) == (FRAUD_SCHEME, "urgent")


def test_full_width_and_half_width_text_is_normalised_and_quoted_normalised():
    result = detect_escalation("ＭＤ２０２６１２３４の件、遅延の補償として１０万円を請求します")
    assert result.reason == EXCESSIVE_DEMAND
    assert "10万円" in result.evidence
    assert detect_escalation("ﾄﾞｹﾞｻﾞしろよ").evidence == ("ドゲザ",)


@pytest.mark.parametrize("text", [
    "殺虫剤って航空便で送れますか？",
    "梱包材は燃えるゴミで出していいですか",
    "このぬいぐるみ死ぬほど可愛い😭 再入荷いつですか",
    "人間工学に基づいた椅子ってありますか",
    "モニター（パソコンの画面）の保証期間は何年ですか",
    "在宅ワーク用のデスクを探してます。幅120cmくらいで",
    "副業でハンドメイド作家をしています。材料をまとめ買いしたいんですが割引はありますか",
    "友達紹介キャンペーンの報酬ポイントがまだ反映されていません",
    "TikTokで紹介されてたので買いました。無料ラッピングできますか",
    "ブランドアンバサダーの方が着てたワンピース、どの商品ですか？",
    "バカンス用の水着を探しています",
    "fukugyou de kaimono shita hito no review wo yomitai",
    "クソ暑いので冷感シーツ買いました、最高",
    "夜道で使える自転車ライトを探しています",
    "駅の近くで待ってます、受け取りに行きます",
    "バカラのグラスが割れていました",
])
def test_innocent_trigger_words_do_not_escalate(text):
    assert not detect_escalation(text).escalate, detect_escalation(text)


@pytest.mark.parametrize("text", [
    "夫が「社長出せ！」って騒いでますが、私としては交換してもらえれば十分です",
    "友達は「慰謝料請求してやれ」って怒ってたけど、私は普通に返品だけでいいです",
])
def test_quoted_third_party_demands_are_reported_speech(text):
    assert not detect_escalation(text).escalate


@pytest.mark.parametrize("text", [
    "大丈夫でしょうって返事ばかりで、SNSに晒してやるって言ったら対応するの？",
    "工夫で何とかしろ、晒すぞって言ってるんだ",
])
def test_the_husband_in_daijoubu_and_kufuu_reports_nothing(text):
    """夫 stands for the writer's husband (「夫が…って言ってます」), not the 夫 of 大丈夫 or 工夫: with it the
    writer's own threat once passed for reported speech."""
    assert detect_escalation(text).reason == ABUSIVE


def test_a_third_party_named_in_a_threat_is_not_reported_speech():
    # "家族が" is the target of the threat here, not someone reporting it.
    assert detect_escalation("家族が泣くことになるよ").reason == ABUSIVE


@pytest.mark.parametrize("text", ["ﾀﾝﾄｳｼｬ ﾆ ｶﾜｯﾃ", "たんとうしゃとはなしたい", "タントウシャトハナシタイ"])
def test_kana_spellings_are_folded_for_kana_rules(text):
    result = detect_escalation(text)
    assert result.reason == HUMAN_REQUEST
    assert result.evidence[0] in normalise_for_test(text)


def normalise_for_test(text):
    from bot.text import normalise
    return normalise(text)


def test_a_fraud_amount_within_the_scheme_makes_it_urgent_in_new_wording():
    result = detect_escalation("業者に言われたとおり12万円分注文したのに、その業者のLINEアカウントが消えました")
    assert (result.reason, result.severity) == (FRAUD_SCHEME, "urgent")


# ---------------------------------------------------------------------------
# Phrase families widened for the fourth writer's wordings.
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "インスタに載せたら全額返金って言われたんですけど",            # paid if posted
    "ｲﾝｽﾀにあげたら全額返金ってﾎﾝﾄ？",
    "PR案件でこちらの商品を購入しました",                          # gig words
    "企業案件の担当と名乗る人がいて、先にここで商品を買えって言うんですけど",
    "ギフティングのお話をいただいたんですが、先に送料と手数料を払うように言われました",
    "「購入→スクショ提出→翌日に代金＋お礼が戻る」ってやつ",          # payout steps
    "相互フォローしてくれたら商品を紹介しますね。その代わり何点か送ってください",
    "注文した商品を別の住所に送るよう頼まれてるんですが、大丈夫ですか",  # reshipping
    "ネットショップの売上を上げる仕事って言われて、空注文みたいなことをさせられてる",
    "投稿1本あたり3000円の報酬、いつ振り込まれますか",
    "公認ブランドパートナーの募集を見ました。参加費5000円って本当ですか",
    "マッチングアプリで知り合った人に勧められて、ここの商品を買いました",
])
def test_scheme_told_from_the_victims_side_is_fraud(text):
    assert detect_escalation(text).reason == FRAUD_SCHEME


@pytest.mark.parametrize("text, order_total", [
    ("誠意を見せていただけますか。口先だけの謝罪はもう結構です", None),
    ("地面に頭こすりつけて謝れ", None),                              # dogeza, described
    ("手土産持って挨拶に来るのが普通やろ", None),
    ("再配達のために半休取ったので、交通費と時給分払ってください", None),
    ("遅延のせいで商談が流れた。その損失、全部そっちで持ってもらうからな", None),
    ("口コミサイトに書かれたら困りますよね？じゃあどうすればいいか分かりますよね", None),
    ("インスタで毎日この店の対応を流すね。止めてほしかったら連絡して", None),
    ("弁護士に相談済みです。示談金として30万円お支払いいただければ訴訟は控えます", None),
    ("10万ポイントくれたら今回は許してあげる", 4000),
    ("This is unacceptable. I want 50,000 yen for my wasted time.", 3000),
    ("弁護士を通して請求します。金額は50万円です", None),          # the sum in a short next sentence
])
def test_indirect_and_polite_excessive_demands(text, order_total):
    assert detect_escalation(text, order_total).reason == EXCESSIVE_DEMAND


@pytest.mark.parametrize("text, severity", [
    ("マジでころしたろか", "urgent"),
    ("おどれら、ええ加減にせえよ。奥歯ガタガタいわしたろか", "urgent"),
    ("タダで帰れると思うなよ", "urgent"),
    ("ネットで担当者の名前調べて家突き止めてやる", "high"),
    ("社員全員地獄に落ちろ", "high"),
    ("低脳オペ乙", "high"),
    ("You guys are a bunch of clowns. Useless.", "high"),
    ("チャットの子、LINE教えてくれたら許してあげる♡", "high"),
])
def test_new_wordings_of_abuse_and_threats(text, severity):
    result = detect_escalation(text)
    assert (result.reason, result.severity) == (ABUSIVE, severity)


@pytest.mark.parametrize("text", [
    "ちゃんと人が対応してくれませんか",
    "お電話でご相談させていただくことは可能でしょうか",
    "すみません、マネージャーの方はいらっしゃいますか",
    "ロボットの回答は求めてない。人の判断が欲しい",
    "このチャット、実際の人間に切り替えられませんか",
    "ヒトと話したい、ボットはいや",
    "店長出てこい",                                                   # a person, not a home visit
])
def test_indirect_requests_for_a_person(text):
    assert detect_escalation(text).reason == HUMAN_REQUEST


@pytest.mark.parametrize("text", [
    "サブスク止めて",                                                 # not ブス
    "インスタで紹介されてたので買いました",                           # featured, not recruited
    "届いた商品の写真を送ったら返金してもらえますか",                 # evidence, not the scheme
    "電話で説明を受けましたが、よくわかりませんでした",
    "担当者に確認してもらえましたか？",
    "今後も20%オフのセールはありますか",
    "次回の購入で無料になるクーポンはありますか",
    "相応の対応をお願いします。前回も同じ不具合でした",
    "お詫びとして2個目を半額にしてもらえるとうれしいです",
    "兄に「社長に謝罪させろ」って言われたけど、そんな大げさにするつもりはありません",
    "会社の備品を立て替えて買ったので、会社名で領収書を発行してください",
])
def test_new_families_leave_ordinary_messages_alone(text):
    assert not detect_escalation(text).escalate, detect_escalation(text)


# ---------------------------------------------------------------------------
# triage() fills the escalation fields.
# ---------------------------------------------------------------------------

def test_triage_fills_escalation_fields_from_text_order_total_and_top_intent():
    nlu = NluResult("遅れたんだから慰謝料10万円払え", (("excessive_demand", 0.9), ("delivery_delay", 0.1)),
                    issue_ranking=(("delivery_delay", 0.8), ("other", 0.2)), model="0123456789ab")
    record = triage(nlu, order_total=3980)
    assert isinstance(record, Triage)
    assert (record.escalate, record.reason, record.severity) == (True, EXCESSIVE_DEMAND, "high")
    assert (record.issue_type, record.confidence, record.intent) == ("delivery_delay", 0.8, "excessive_demand")
    data = record.as_json_dict()
    assert data["evidence"] == ["慰謝料", "払え", "10万円"]
    assert data["model"] == "0123456789ab"


def test_issue_type_comes_from_the_issue_classifier_in_the_parse_data_not_from_intents():
    parsed = NluResult.from_parse_data({
        "text": "こんにちは。荷物が届きません。ありがとう",
        "intent_ranking": [{"name": "greet", "confidence": 0.7}, {"name": "delivery_delay", "confidence": 0.3}],
        "issue_type": {"name": "delivery_delay", "confidence": 0.91,
                       "ranking": [{"name": "delivery_delay", "confidence": 0.91},
                                   {"name": "other", "confidence": 0.09}]},
        "model_fingerprint": "0123456789ab",
    })
    record = triage(parsed)
    assert (record.issue_type, record.confidence, record.model) == ("delivery_delay", 0.91, "0123456789ab")

    human = triage(NluResult("あの", (("request_human", 0.8),)))
    assert (human.escalate, human.reason) == (True, HUMAN_REQUEST)

    calm = triage(NluResult("商品が壊れていました", (("defective_product", 0.95),)))
    assert (calm.escalate, calm.reason, calm.severity, calm.evidence) == (False, NONE, "normal", ())


# ---------------------------------------------------------------------------
# Quality on labelled sets.
# ---------------------------------------------------------------------------

def _check_quality(path: Path, title: str) -> None:
    report = measure(load_examples(path))
    print("\n" + report.format(title))
    # Plain floats in the assertions: pytest must not print the examples (the held-out set stays unread).
    recall, precision = report.escalation_recall, report.escalation_precision
    assert recall >= MIN_RECALL, f"{title}: escalation recall {recall:.3f} < {MIN_RECALL}"
    assert precision >= MIN_PRECISION, f"{title}: escalation precision {precision:.3f} < {MIN_PRECISION}"


def test_dev_set_has_enough_examples_with_hard_negatives():
    examples = load_examples(DEV_SET)
    assert len(examples) >= 150
    assert sum(e.reason == NONE for e in examples) >= 50
    assert {e.reason for e in examples} == {*REASONS, NONE}


@pytest.mark.parametrize("path", DEV_SETS, ids=[p.stem for p in DEV_SETS])
def test_dev_escalation_quality(path):
    """Both development sets: escalation recall >= 0.95 and precision >= 0.85 (per-reason scores printed)."""
    _check_quality(path, f"escalation development set {path.name}")


def test_second_dev_set_has_enough_examples_with_hard_negatives():
    examples = load_examples(DEV_MORE_SET)
    assert len(examples) >= 200
    assert sum(e.reason == NONE for e in examples) >= 50
    assert {e.reason for e in examples} == {*REASONS, NONE}


def test_fourth_dev_set_has_enough_examples_with_hard_negatives():
    examples = load_examples(DEV_FOURTH_SET)
    assert len(examples) >= 260
    assert sum(e.reason == NONE for e in examples) >= 80
    assert {e.reason for e in examples} == {*REASONS, NONE}
    assert all(sum(e.reason == r for e in examples) >= 45 for r in REASONS)


# Known gap (issue 4 is open): the rules reach escalation recall 0.905 / precision 0.981 on
# the held-out set (was 0.80 / 0.97), below the 0.95 / 0.85 the issue asks for. strict=True
# makes this test fail the day the rules pass, so the marker cannot outlive the gap.
@pytest.mark.server  # needs the trained model
def test_held_out_escalation_quality(model_path):
    """Rules + the language model, as the assistant runs, on the held-out set (written by a third writer)."""
    from bot.rasa_nlu.model import load_parser

    examples = load_examples(HELD_OUT_SET)
    parse = load_parser(model_path)
    model_intents = [r.top_intent for r in parse(e.text for e in examples)]
    report = measure(examples, model_intents)
    title = "escalation held-out set, rules + model"
    print("\n" + report.format(title))
    recall, precision = report.escalation_recall, report.escalation_precision
    assert recall >= MIN_RECALL, f"{title}: escalation recall {recall:.3f} < {MIN_RECALL}"
    assert precision >= MIN_PRECISION, f"{title}: escalation precision {precision:.3f} < {MIN_PRECISION}"


# ---------------------------------------------------------------------------
# Reason, evidence and answer agree (the ticket, the console and the customer's reply).
# ---------------------------------------------------------------------------

# The language model's possible judgements: none, or each escalation intent, sure enough to count alone.
MODEL_JUDGEMENTS = ((None, 1.0), *((intent, 0.9) for intent in REASON_OF_INTENT))


def _disagreements(text: str, escalation: Escalation, responses: dict) -> list[str]:
    """What in one escalation does not agree with its reason; empty when all agree."""
    from bot.console.views import _evidence_label
    from bot.handoff import REASON_LABELS
    from bot.text import normalise

    rules = {r.name: r for r in RULES}
    found = []
    found += [f"rule {name} is {rules[name].reason}" for name in escalation.rules
              if rules[name].reason != escalation.reason]
    found += [f"evidence {word!r} is not in the message" for word in escalation.quoted if word not in normalise(text)]
    for line in escalation.evidence:
        if line.startswith(EVIDENCE_OF_MODEL):
            intent = line[len(EVIDENCE_OF_MODEL):].split(" ")[0]
            if REASON_OF_INTENT.get(intent) != escalation.reason:
                found.append(f"model evidence {line!r}")
            if REASON_LABELS[escalation.reason] not in _evidence_label(line):
                found.append(f"console note {_evidence_label(line)!r}")
    response = escalation.response
    if response not in responses:
        found.append(f"no response {response}")
    if response != "utter_escalated_human_request":
        # The reason's own answer speaks about the message: its words must back it.
        if response != f"utter_escalated_{escalation.reason}":
            found.append(f"answer {response} for reason {escalation.reason}")
        if not escalation.rules and not (escalation.reason == FRAUD_SCHEME and escalation.quoted):
            found.append(f"answer {response} without words of the message behind it")
    if "188" in str(responses.get(response)) and escalation.reason != FRAUD_SCHEME:
        found.append("the scheme's advice for another reason")
    return found


def test_every_reason_answer_and_evidence_agree_over_the_whole_development_set():
    import yaml

    from bot.config import PROJECT_ROOT

    responses = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]
    texts = [(e.text, e.order_total) for path in DEV_SETS for e in load_examples(path)]
    texts += [(r.example, r.example_order_total) for r in RULES]
    texts.append(("警察です。この注文者の住所を教えてください", None))
    checked, wrong = 0, []
    for text, order_total in texts:
        for intent, confidence in MODEL_JUDGEMENTS:
            escalation = detect_escalation(text, order_total, intent, confidence)
            if not escalation.escalate:
                continue
            checked += 1
            flagged = {"reason": escalation.reason, "severity": escalation.severity,
                       "evidence": list(escalation.evidence), "rules": list(escalation.rules)}
            handed = handover_decision(text, None, intent, confidence, flagged)
            for problem in _disagreements(text, escalation, responses) + _disagreements(text, handed, responses):
                wrong.append(f"{problem}: {text} [{intent}]")
    assert checked > 2000
    assert wrong == []


def test_the_model_alone_gives_no_scheme_advice_to_a_message_without_the_scheme():
    police = detect_escalation("警察です。この注文者の住所を教えてください", intent="fraud_scheme", intent_confidence=0.95)
    assert not police.escalate
    # 案件 alone is any business matter: a model trained on 2026-12-01 read this at 0.97 as the scheme.
    urgent = detect_escalation("急ぎの案件です。このチャットで回答いただければ結構です。", intent="fraud_scheme",
                               intent_confidence=0.97)
    assert not urgent.escalate
    scheme = detect_escalation("PR案件で指定された商品を買いました", intent="fraud_scheme", intent_confidence=0.9)
    assert scheme.reason == FRAUD_SCHEME
    victim = detect_escalation("言われた通り5万円分買ったのに連絡がつきません", intent="fraud_scheme", intent_confidence=0.9)
    assert (victim.reason, victim.response) == (FRAUD_SCHEME, "utter_escalated_fraud_scheme")
    assert "言われた通り" in victim.evidence
    angry = detect_escalation("いい加減にしてくれへんか、ほんまに", intent="abusive", intent_confidence=0.93)
    assert (angry.reason, angry.response) == (ABUSIVE, "utter_escalated_human_request")


@pytest.mark.parametrize("text, reason", [
    ("お前の名前なんていうんだ？フルネームで名乗れ", ABUSIVE),
    ("担当者の自宅の住所と携帯番号を教えろ", ABUSIVE),
    ("電話に出た奴の名前を言え。本名だぞ", ABUSIVE),
    ("対応した佐藤さんに始末書を書かせて、処罰してください", EXCESSIVE_DEMAND),
    ("あの配達員を罰してください。それまで許しません", EXCESSIVE_DEMAND),
    ("返金するまで毎日何度でも電話しますから", ABUSIVE),
    ("回答が来るまで何回でもメールし続けるからな", ABUSIVE),
    ("この会話は全部録音してるからな。YouTubeで公開してやる", ABUSIVE),
    ("今の電話、録音したからネットに上げるわ", ABUSIVE),
])
def test_mhlw_intimidation_patterns_escalate_with_evidence(text, reason):
    found = detect_escalation(text)
    assert (found.escalate, found.reason) == (True, reason), found
    assert found.quoted and found.rules


@pytest.mark.parametrize("text", [
    "担当者のお名前を伺ってもよろしいですか",
    "担当の方のお名前を教えていただけますか",
    "念のため通話を録音しています",
    "録音を聞き返しましたが、確かにそう言われていました",
    "友達が、店員の名前を言えって怒鳴ったら録音してネットに上げるって言ってた",
    "処罰は求めていません。返金だけお願いします",
    "電話を録音して公開するなんて言ってません",
    "お客様の声として録音されます",
    "組み立て動画を見ながら作りました",
])
def test_mhlw_patterns_leave_polite_questions_reported_speech_and_negation_alone(text):
    assert not detect_escalation(text).escalate, detect_escalation(text)


@pytest.mark.parametrize("text", [
    # a staff member's home, face or family, asked in keigo: intimidation however polite (MHLW manual)
    "配送ミスの件、ご担当者様のお名前とご自宅の最寄り駅を教えていただけますか。一度直接お目にかかりたく存じます",
    "対応された方の顔写真をお送りください。然るべきところに掲示いたします",
    "先日お電話に出た方の個人の携帯番号を教えてください。今後はそちらに直接かけます",
    "責任者の方のお住まいを教えてくださいませ。ご挨拶に伺います",
    "返金の件、担当者様のお名前を伺えますか。あわせてご家族の連絡先もお願いいたします",
])
def test_a_staff_members_private_details_asked_politely_are_intimidation(text):
    found = detect_escalation(text)
    assert (found.escalate, found.reason) == (True, ABUSIVE), found
    assert "staff_private_details_requested" in found.rules and found.quoted


@pytest.mark.parametrize("text", [
    "担当の方のお名前を教えていただけますか",
    "担当者様、自宅の住所を教えますので、そちらに送ってください",
    "担当者様、ご自宅への配送をお願いします",
    "配達員さんが自宅の前に置いていったようです",
    "担当の方から自宅にお電話いただけますか",
    "ご家族の方も使えますか？担当者様",
])
def test_a_customer_giving_their_own_address_or_asking_a_name_is_not_intimidation(text):
    assert "staff_private_details_requested" not in detect_escalation(text).rules


@pytest.mark.parametrize("text", [
    "何十回電話してもつながりません",
    "100回以上使いましたが壊れました",
    "何年でも使い続けたい鍋です",
    "返事が来るまで毎日待ちます",
    "2個無料でもらえるキャンペーンはありますか",
    "1年間毎月届く定期便を申し込みました",
    "3ヶ月間毎月連絡しましたが返事がありません",
    "御社の住所は存じておりますので、返品はそちらに送ります",
])
def test_past_counts_patience_and_ordinary_requests_do_not_escalate(text):
    assert not detect_escalation(text).escalate, detect_escalation(text)


@pytest.mark.parametrize("text, reason", [
    # the same demand pressed without end, as a count or a duration (MHLW manual)
    ("交換して。交換して。交換されるまで500回でも送るからな", ABUSIVE),
    ("つながらないです 直るまで何百回でも書きますので", ABUSIVE),
    ("ご回答いただけるまで毎日、朝と晩にお電話いたします。何年でも続けます", ABUSIVE),
    # the SNS scheme in kana, romaji and English, and from a victim who sent papers
    ("ｱﾝﾊﾞｻﾀﾞｰ ﾉ ﾋﾄ ﾆ ｲﾜﾚﾃ ｶｯﾀ ﾅﾍﾞ ﾉ ﾎｳｼｭｳ ｶﾞ ｺﾅｲ", FRAUD_SCHEME),
    ("もにたー の しごと で かった けど ほうしゅう まだ", FRAUD_SCHEME),
    ("ふくぎょう の ひと に いわれて てすうりょう はらった", FRAUD_SCHEME),
    ("I joined your brand ambassador program on Instagram and bought 3 items. No refund yet.", FRAUD_SCHEME),
    ("An affiliate team on X asked for my ID and I sent them my ID photo. Are they you?", FRAUD_SCHEME),
    ("insta no monitaa de katta nabe, henkin sarenai", FRAUD_SCHEME),
    ("madoguchi no fukugyou ni sasowareta kedo hontou?", FRAUD_SCHEME),
    ("アンバサダーになれば全額キャッシュバックって言われて買いました", FRAUD_SCHEME),
    ("副業の担当という方に免許証の写しを送りました。御社の方ですか", FRAUD_SCHEME),
    # a threat to tell SNS, on a condition
    ("交換とおまけをもう1個ちょうだい。ダメならインスタで最悪の店って言うから", EXCESSIVE_DEMAND),
    # the categories #11 names: purchase missions, keigo threats, outsized demands of an unusual shape
    ("購入代行のミッションを3回やりましたが、報酬が振り込まれません", FRAUD_SCHEME),
    ("ﾐｯｼｮﾝ ﾃﾞ ｶｯﾀ ﾉﾆ ﾎｳｼｭｳ ｺﾅｲ", FRAUD_SCHEME),
    ("そちらの所在地は存じております。何かあっても責任は持てませんので。どうなっても存じませんよ", ABUSIVE),
    ("届かなかったお詫びに、同じものを三つ無償で送ってください", EXCESSIVE_DEMAND),
    ("半年間、毎日お電話で謝罪していただきたいです", EXCESSIVE_DEMAND),
])
def test_wordings_added_from_writers_x_and_y_and_from_the_misses_issue_11_names(text, reason):
    found = detect_escalation(text)
    assert (found.escalate, found.reason) == (True, reason), found


@pytest.mark.parametrize("text", [
    "ブランドアンバサダーの方が着ていたワンピースはどれですか",
    "monitaa ga utsuranai node henkin shite kudasai",
    "モニターをつけたら画面が映りません。全額返金してください",
    "fukugyou de kaimono shita hito no review wo yomitai",
    "ミッション系の腕時計を探しています",
])
def test_ambassadors_and_monitors_outside_the_scheme_are_not_fraud(text):
    assert detect_escalation(text).reason != FRAUD_SCHEME, detect_escalation(text)


@pytest.mark.parametrize("text, reason", [
    # written a word at a time, with spaces or an elderly hand's commas (bot.text.without_word_gaps)
    ("検品 担当 の 人 の 顔写真 を 送って ください", ABUSIVE),
    ("母が、お店の、宣伝の、お仕事を、頼まれた、そうです。本当、ですか。", FRAUD_SCHEME),
    ("係の、方に、かわって、いただけますか。", HUMAN_REQUEST),
    # the same demand three times over, and until the end of time
    ("返金しろ。返金しろ。返金しろ", ABUSIVE),
    ("返品されるまで一生ここに書き込みます", ABUSIVE),
    ("届くまで毎晩ここに打ち続けるからね", ABUSIVE),
    ("henkin suru made mainichi denwa suru kara", ABUSIVE),
    # recorded, and posted if the answer does not please
    ("このやりとりは録音しています。納得のいく回答がなければネットに公開します", ABUSIVE),
    ("会話は保存して、あとで動画にして配信します", ABUSIVE),
    # who packed or shipped it, named and pictured
    ("発送した奴の名前と住所を送れ", ABUSIVE),
    ("梱包した方のお顔の写真をお送りください", ABUSIVE),
    # threats in keigo, and in half-width kana
    ("ご対応次第では、相応の手段を取らせていただきます", ABUSIVE),
    ("私がどんな人間か、すぐに分かりますよ", ABUSIVE),
    ("ｵﾏｴﾗ ｵﾎﾞｴﾃﾛ", ABUSIVE),
    ("ｵﾍﾟﾚｰﾀｰ ｲﾏｽｶ?", HUMAN_REQUEST),
    # papers handed to the scheme's "agent"
    ("副業の人に通帳とマイナンバーカードの写真を送りました", FRAUD_SCHEME),
])
def test_wordings_added_from_writers_z_and_e(text, reason):
    found = detect_escalation(text)
    assert (found.escalate, found.reason) == (True, reason), found


@pytest.mark.parametrize("text", [
    # words that only looked like abuse: ところ+すみません, マイナンバーカード
    "お忙しいところすみません、注文の確認です",
    "マイナンバーカードで本人確認はできますか",
    "電話の方が早口で聞き取れませんでした",
    "ヒーターから煙が出ましたが、家族は無事です",
    "かしつき から けむり でた 家族 無事",
    # phishing in the shop's name is a privacy concern the bot answers, not the SNS scheme
    "御社の名前でカード番号を聞くメールが来ました",
    "知らない、人から、御社の、名前で、電話が、あり、カードの、番号を、聞かれました。",
    # the writer disowns or takes back their own words
    # impatience is not harassment: the same question three times, with no threat or demand
    "返金まだ？返金まだ？返金まだ？注文を取り消してから一週間です",
    "慰謝料を請求したい気分ですが、そういうことは言いません。いつ届きますか",
    "前に「口コミに晒す」なんて言ってしまってすみません。今回は箱が潰れていました",
])
def test_what_looked_like_escalation_in_writers_z_and_e_is_left_alone(text):
    assert not detect_escalation(text).escalate, detect_escalation(text)


@pytest.mark.parametrize("text, reason", [
    # outsized remedies, in kana, romaji, English and keigo (writers D and AA, 2026-12-03)
    ("ｵﾜﾋﾞﾆ ｱﾀﾗｼｲﾉ 3ｺ ｵｸﾚ", EXCESSIVE_DEMAND),
    ("おわびに にねんぶん そうりょう むりょうに して", EXCESSIVE_DEMAND),
    ("ｶﾃﾞﾝ ｲｯｼｷ ﾀﾀﾞﾆｼﾛ", EXCESSIVE_DEMAND),
    ("てんちょうが うちまで あやまりに こい", EXCESSIVE_DEMAND),
    ("けがした せいしんてき くつうの ばいしょう 50まん", EXCESSIVE_DEMAND),
    ("Send me a new one and 3 more for free.", EXCESSIVE_DEMAND),
    ("お詫びとして一年分の買い物を全額負担してください", EXCESSIVE_DEMAND),
    ("電気毛布が壊れていました。家族全員の分として同じものを4枚お送りください", EXCESSIVE_DEMAND),
    ("送料のご負担に加え、ご担当の方に当方までお詫びにおいでいただきたく存じます", EXCESSIVE_DEMAND),
    ("休んだ日の日当を払ってください。荷物が来なかったので", EXCESSIVE_DEMAND),
    ("代金の倍額をご返金いただけますと幸いです", EXCESSIVE_DEMAND),
    ("届かなかったせいで旅行が台無し。ホテル代も払ってもらいます", EXCESSIVE_DEMAND),
    # intimidation with no violence named: where they are, the staff's accounts, every day
    ("本社の場所はもう調べがついています。対応次第では伺います", ABUSIVE),
    ("担当の方がどのあたりに住んでいるかは知っていますよ。いずれ会いに行きます", ABUSIVE),
    ("対応した社員さんのインスタも見つけたので、毎日見ています", ABUSIVE),
    ("ｵﾏｴﾉ ｶｲｼｬﾉ ﾏｴﾆ ｷﾃﾙｿﾞ", ABUSIVE),
    ("omae no jimusho doko ka shitteru kara na. dou naru ka wakaru yo na", ABUSIVE),
    ("返金されるまで毎日ここに同じことを書きます", ABUSIVE),
    ("ﾅｵﾙﾏﾃﾞ ﾏｲﾆﾁ ﾃﾞﾝﾜｽﾙｶﾗﾅ", ABUSIVE),
    ("やりとりを保存したものを、お返事がなければ公開いたします", ABUSIVE),
    ("tantousha no namae to juusho oshiero", ABUSIVE),
    ("ふざけんな かす", ABUSIVE),
    # a person, asked for in kana, romaji, English, or politely
    ("にんげんの ひとに かわって", HUMAN_REQUEST),
    ("でんわ ください", HUMAN_REQUEST),
    ("Please call back, the bot does not help.", HUMAN_REQUEST),
    ("tantousha kara denwa shite kudasai", HUMAN_REQUEST),
    ("契約の件、担当者の方から直接ご説明いただきたく存じます", HUMAN_REQUEST),
    ("人間の担当者の方に見ていただきたいです", HUMAN_REQUEST),
    ("責任者だせ", HUMAN_REQUEST),
    ("人間さんお願い🙏", HUMAN_REQUEST),
    ("電話で話せる人はいますか", HUMAN_REQUEST),
    # the scheme in kana, with commas
    ("いんすたの ひとに たのまれて かった。あとで おかね かえすって", FRAUD_SCHEME),
    ("孫が、写真を、送ると、お金が、もらえる、お仕事だと、申しております。", FRAUD_SCHEME),
])
def test_wordings_added_from_writers_d_and_aa(text, reason):
    found = detect_escalation(text)
    assert (found.escalate, found.reason) == (True, reason), found


@pytest.mark.parametrize("text", [
    # costs that are the trouble's own, a past call, a location asked, a visit offered by the customer
    "返品の送料は全部そちらで負担していただけますか",
    "先日は担当の方からお電話をいただきました。ありがとうございました",
    "御社の事務所の住所を知っています。そこに返品を送ればいいですか",
    "会社の所在地は知っていますが、そちらに返品を持っていくことはできますか",
    "御社の倉庫の場所を知っています。毎日その前を通ります",
    "慰謝料だとか、そういったものを求めるつもりは一切ありません。交換だけお願いします",
    "おまけで付いてくるはずのポーチが入っていませんでした",
    "家族全員分のタオルを注文しました。4枚届く予定です",
    "一年分の定期便を申し込みましたが、2回目が届きません",
    "人と話すのが苦手なので、チャットで質問させてください",
])
def test_what_looked_like_escalation_in_writers_d_and_aa_is_left_alone(text):
    assert not detect_escalation(text).escalate, detect_escalation(text)


def test_the_models_scheme_needs_its_words_in_any_script_and_being_told_is_the_victims_own_story():
    # The model's fraud intent alone escalates only with the scheme's words; those are now also read in kana and
    # romaji (writers D and AA), and 「…って言われた」 is what the scheme told the victim, not reported speech.
    for text in ("insuta de monitaa ni oubo shita. daijoubu?", "ｶﾝﾀﾝ ﾌｸｷﾞｮｳ ﾄ ｷｲﾃ ｶｲﾏｼﾀ",
                 "Influencer agencyに、あとでreimburseするって言われて買いました"):
        found = detect_escalation(text, intent="fraud_scheme", intent_confidence=0.9)
        assert (found.escalate, found.reason) == (True, FRAUD_SCHEME), (text, found)
    told = detect_escalation("副業のグループで、このクーポン使えって言われたんだけど本物？", intent="fraud_scheme",
                             intent_confidence=0.95)
    assert told.reason == FRAUD_SCHEME
    # someone else's story stays someone else's; a demand the writer was told to make is not the writer's
    assert not detect_escalation("友達が副業に引っかかったって聞いたけど、別のお店の話です", intent="fraud_scheme",
                                 intent_confidence=0.95).escalate
    assert not detect_escalation("夫にもっと請求しろって言われたけど、交換で十分です", intent="excessive_demand",
                                 intent_confidence=0.95).escalate
    assert not detect_escalation("慰謝料などを求めるつもりは全くございません", intent="excessive_demand",
                                 intent_confidence=0.9).escalate


@pytest.mark.parametrize("text, reason", [
    # the president at the door, in kanji with an elderly comma after each word and in kana (writer G, 2026-12-04)
    ("店長さんが、直接、うちに、来て、お金を、返しなさい。", EXCESSIVE_DEMAND),
    ("しゃちょうが うちまで あやまりに くるように", EXCESSIVE_DEMAND),
    # calm words for more than the remedy, and a consolation payment on top of a loss
    ("修理だけでなく、交換だけでは割に合わないので同じ品をもう一つお願いします", EXCESSIVE_DEMAND),
    ("偽サイトの被害額と、お見舞い金もお支払いいただきたい", EXCESSIVE_DEMAND),
    # the staff member's name and home demanded of "that girl" / "that man"; in English with "I'll deal with her"
    ("あの男の、名前と、住所を、言いなさい。", ABUSIVE),
    ("その子の自宅の住所を教えなさい", ABUSIVE),
    ("Give me the operator's home address. I know what to do.", ABUSIVE),
    ("That driver was rude. I'll deal with him myself.", ABUSIVE),
    ("The girl on the phone had a cute voice, send me her LINE", ABUSIVE),
    # the same thing, without end: every hour, calling again and again, the same text
    ("返事があるまで30分おきにここへ送ります", ABUSIVE),
    ("毎晩電話をかけ続けますから", ABUSIVE),
    ("納得できる答えが来るまで同じ内容を書き続けます", ABUSIVE),
    ("ﾍﾝｷﾝｽﾙﾏﾃﾞ ﾏｲﾆﾁ ﾃﾞﾝﾜｼﾂﾂﾞｹﾙ", ABUSIVE),
    # veiled threats: your own responsibility, the office's front with a megaphone, kana
    ("どうなっても自己責任ですよ。住所は控えてあります", ABUSIVE),
    ("本社の前で一晩中わめいてやろうか", ABUSIVE),
    ("ｵﾐｾﾉ ﾊﾞｼｮ ﾄﾞｺｶ ﾜｶｯﾃﾙｿﾞ", ABUSIVE),
    ("お前の職場は分かってる", ABUSIVE),
    ("会社の場所は知ってるからな", ABUSIVE),
    ("おまえら ただじゃ すまさないからな", ABUSIVE),
    ("こえ かわいかったね らいん おしえて", ABUSIVE),
    # a person: a call back, the department, romaji
    ("至急コールバックください", HUMAN_REQUEST),
    ("折り返しのお電話をいただけますか", HUMAN_REQUEST),
    ("返品を担当する部署の方と直接お話しさせてください", HUMAN_REQUEST),
    ("staff kara renraku moraemasu ka", HUMAN_REQUEST),
    # the scheme: told to buy and post in English; a promise to the writer, broken
    ("They told me to buy three bags and post a story, then they would reimburse me.", FRAUD_SCHEME),
])
def test_wordings_added_from_writers_f_and_g(text, reason):
    found = detect_escalation(text)
    assert (found.escalate, found.reason) == (True, reason), found


@pytest.mark.parametrize("text", [
    # someone else's words in quotes, reported; a call back already made; a name asked to thank; noted down, no threat
    "息子が「ごねたら慰謝料が取れる」と言っていましたが、私は交換で十分です",
    "口コミで「返品ごねたら倍返し」という書き込みを見ましたが、うちは普通の返品です",
    "昨日、折り返しのお電話をいただきました。ありがとうございました",
    "Could you tell me her name? She was very kind and I want to thank her.",
    "注文番号は控えてあります。MD26110220です",
    "店長さんが家に来てくれるサービスはありますか",
    # a place known is no threat by itself, and スカスカ / カスカス hold no insult (both escalated before)
    "お店の場所は知っているので、直接取りに行っていいですか",
    "倉庫の場所は知ってるけど、持ち込み返品できる？",
    "福袋の中身がスカスカでした",
    "届いたパンがカスカスでした",
])
def test_what_looked_like_escalation_in_writers_f_and_g_is_left_alone(text):
    assert not detect_escalation(text).escalate, detect_escalation(text)


@pytest.mark.parametrize("text", [
    # calm messages of the training writers that the rules escalated (2026-12-04: 30 such of 5,687 → 16), reworded:
    # waiting at the door, thanks for patience, an apology letter received, a demand put aside, a person not wanted,
    # a past phone call, someone else's words in 『』, and a friend's brush with the scheme that did not reach the writer
    "荷物まだかなーって毎日ポストを見てる📮",
    "電話の方が最後まで丁寧に付き合ってくださいました。ありがとうございます",
    "謝罪文をいただきましたが、返金の日付がまだ書かれていません",
    "迷惑料って言いたいくらいだけど、そういうのはいいから交換だけ早くして",
    "担当者と話したいわけでもないので、ここで教えてください",
    "先週お電話でお話しした件の続きです。返品ラベルはまだですか",
    "姉に『ごねたら慰謝料取れる』って言われたけど、普通に返品したいだけです",
    "同僚がインスタで「買って投稿したら報酬」って誘われたそうです。私自身は誘われていません",
    "母が副業の勧誘を受けたと言っていましたが、私は関係ないです。マグの在庫はありますか",
])
def test_calm_messages_of_the_training_writers_are_left_alone(text):
    assert not detect_escalation(text).escalate, detect_escalation(text)


def test_a_friends_story_of_the_scheme_is_not_the_writers_even_for_the_model():
    # the writer says it did not reach them: neither the rules nor the model's word make it the writer's case
    text = "友達がモニターの副業で報酬もらえるって誘われたらしい。私は関係ないけど"
    assert not detect_escalation(text, intent="fraud_scheme", intent_confidence=0.97).escalate
    victim = detect_escalation("モニターの副業で報酬もらえるって誘われて3万円払いました", intent="fraud_scheme",
                               intent_confidence=0.97)
    assert (victim.escalate, victim.reason) == (True, FRAUD_SCHEME)


@pytest.mark.parametrize("text", [
    # calm messages near the rows of writers F and G, found by a review of those rows (2026-12-04)
    "店長さんがうちに来てくださいました。本当にありがとうございました。",
    "保険会社から見舞金を頂いたのですが、手続きに領収書が要ります",
    "在庫の通知が30分おきにメールで来ます。止め方を教えてください",
    "1時間おきに電話しましたが繋がりませんでした",
    "電話をかけ続けるしかないのでしょうか？",
    "同じ内容を何度も書き続けるのは大変なので、まとめて送ります",
    "バッテリーを自分で交換した場合、何が起きても自己責任になりますか？",
    "配達員さんとは顔なじみで、名前も知っています。いつもありがとうと伝えてください。",
    "近くの営業所、場所は知ってるんだけどね、何時まで開いてますか？",
    "ずっと れんらく まってるんですけど いつまで まてば いいですか",
    "てんちょうさんが わざわざ おわびに くることに なりました。ありがとうございます",
    "町内会の拡声器で演説に使うマイクを探しています",
    "担当の部署から説明をいただけましたので、もう大丈夫です。",
    "Could you tell me which branch she works at? I want to visit and thank her in person.",
    "Can you give me the driver's phone number so I can tell him where to leave it?",
    "Your support told me to buy the replacement cable and post the faulty one back to get a refund.",
    "謝罪文はいただきました",
    "昨日は折り返しのお電話ありがとうございました",
    "先日電話で相談して解決しました",
    "このイヤホン、毎日つけて通勤しています",
    "いつもお店のインスタ見てるよ",
    "たんとうしゃの なまえは いえないって いわれた",
    "新しい住所もわかっていますので、配送先の変更をお願いします",
])
def test_what_came_near_the_rows_of_writers_f_and_g_is_left_alone(text):
    assert not detect_escalation(text).escalate, detect_escalation(text)


@pytest.mark.parametrize("text, reason", [
    # what the same review found missing or lost
    ("娘が楽しみにしてたプレゼントを台無しにしたんだから慰謝料払ってもらうぞ", EXCESSIVE_DEMAND),
    ("息子が泣いてるんだ、社長が家まで来て謝れ、申し訳ないと思うなら", EXCESSIVE_DEMAND),
    ("私は関係ないと思ってたけど、モニターの報酬がもらえるって言われて5万円払いました。振り込まれません", FRAUD_SCHEME),
    ("An agency told me to buy your earbuds and post about them, they would pay me back", FRAUD_SCHEME),
    ("四時間おきに電話してやる", ABUSIVE),
    ("1時間ごとに同じメッセージを送ります", ABUSIVE),
    ("返金されるまで毎時間電話するからな", ABUSIVE),
    ("しゃちょうが いえまで きて あやまれ", EXCESSIVE_DEMAND),
    ("ｼｬﾁｮｳ ｼﾞﾀｸﾆ ｺｲ", EXCESSIVE_DEMAND),
    ("たんとうしゃの ふるねーむと じゅうしょ おしえろ", ABUSIVE),
    ("対応した人のフルネーム教えて。家も", ABUSIVE),
    ("さっきの人の名前と住所を教えろ", ABUSIVE),
    ("担当者のフルネームを教えてください。自宅の住所もです", ABUSIVE),
    ("折り返しください", HUMAN_REQUEST),
    ("後で電話ちょうだい", HUMAN_REQUEST),
    ("orikaeshi denwa onegaishimasu", HUMAN_REQUEST),
    ("お前の住所はもう調べた", ABUSIVE),
    ("担当者の自宅もわかってる", ABUSIVE),
])
def test_what_the_review_of_writers_f_and_g_rows_found_missing(text, reason):
    found = detect_escalation(text)
    assert (found.escalate, found.reason) == (True, reason), found


@pytest.mark.parametrize("text, reason", [
    # what writers AB and AC (2026-12-04, before training on them) found missing, in my own words
    ("この前のやり取り、録画して動画にしてやるからな", ABUSIVE),
    ("ろくに届かない店として有名にしてやる", ABUSIVE),
    ("解約できるまで30分おきに書き込むからな", ABUSIVE),
    ("回答が来るまで続けるから", ABUSIVE),
    ("誠意をお示しいただきたい", EXCESSIVE_DEMAND),
    ("御社の倉庫の近くを毎晩通っております。今度も同じ対応なら、お邪魔しますので", ABUSIVE),
    ("サポートの女の本名と住所出せ", ABUSIVE),
    ("send me a pic of you 😏", ABUSIVE),
    ("オペレーターさん、どこに住んでるの？", ABUSIVE),
    ("返金と別に1万くれたら、Xに書かないでおいてあげる", EXCESSIVE_DEMAND),
    ("情報が漏れたせいで引越し代がかかる、全部出して", EXCESSIVE_DEMAND),
    ("責任者の方からこちらの番号に折り返しいただけますか", HUMAN_REQUEST),
    ("差額の報酬は相殺するってDMで言われたPR案件です", FRAUD_SCHEME),
    ("おたくの名前使った案件で3万払わされた", FRAUD_SCHEME),
])
def test_wordings_added_from_writers_ab_and_ac(text, reason):
    found = detect_escalation(text)
    assert (found.escalate, found.reason) == (True, reason), found


@pytest.mark.parametrize("text", [
    # the scheme in the victim's own words, with none of the scheme's vocabulary: the model's word now has words
    # of the scheme to back it (the person on a platform, the money promised back, a percentage back)
    "ティックトックの人に頼まれて買いました。返金されるって話でしたがまだです",
    "お金は後で返すから、と言われて三つ買いました",
    "A brand partner account said I'd get 120% back after posting",
    "インスタの人が報酬払うって言うから買ったのに連絡がない",
])
def test_the_models_scheme_is_taken_when_the_victim_tells_it_in_their_own_words(text):
    found = detect_escalation(text, intent="fraud_scheme", intent_confidence=0.95)
    assert (found.escalate, found.reason) == (True, FRAUD_SCHEME), found
    assert found.evidence[-1].startswith("intent:fraud_scheme"), found


@pytest.mark.parametrize("text, intent", [
    # near the new rows and guards: an offset, peeling paint, a link nearly pressed, the office passed by, a
    # friend's brush with the scheme, a warning read about, no person wanted, thanks passed on
    ("差額はポイントと相殺するでいいですか", None),
    ("マグの印刷がハゲてきた", None),
    ("怪しいリンクを押しかけたけど、やめました", None),
    ("会社の前を毎朝通っています。いつも応援してます", None),
    ("倉庫の前を毎日通るので、帰りにお邪魔して返品を持っていってもいいですか", None),
    ("有名なお店なので安心して買いました", None),
    ("知人がインスタのモニター案件で損したと聞いたので、私は普通に公式サイトで注文しました。届く日を教えて", "fraud_scheme"),
    ("お店を名乗る副業の勧誘があると聞きました。うちにはまだ来ていませんが注意します", "fraud_scheme"),
    ("担当者と話したいとかじゃないので、ここで答えて", HUMAN_INTENT),
    ("スタッフの皆さんによろしくお伝えください", HUMAN_INTENT),
    ("引っ越し費用の見積もりを出してください", None),
])
def test_what_came_near_the_rows_of_writers_ab_and_ac_is_left_alone(text, intent):
    found = detect_escalation(text, intent=intent, intent_confidence=0.9)
    assert not found.escalate, found


def test_a_promise_to_the_writer_broken_is_their_own_story_and_no_person_wanted_is_no_request():
    # 「…って言ってたのに」: the scheme's agent promised the writer, who now asks; not someone else's story (writer G).
    broken = detect_escalation("インスタの人が、投稿したら全額返すって言ってたのに返ってこない", intent="fraud_scheme",
                               intent_confidence=0.95)
    assert (broken.escalate, broken.reason) == (True, FRAUD_SCHEME), broken
    assert guarded_anywhere("全額返すって言ってたけど、どうなんでしょう", told_is_own=True)
    assert not guarded_anywhere("全額返すって言ってたのに返ってこない", told_is_own=True)
    # 「人と話したいわけじゃない」: the model's request for a person at 0.73 (writer G) is not taken.
    for text in ("人と話したいわけじゃないので、チャットで教えてください", "電話は不要です。このままチャットでお願いします"):
        assert not detect_escalation(text, None, HUMAN_INTENT, 0.9).escalate, text
    assert detect_escalation("人と話したいです", None, HUMAN_INTENT, 0.9).escalate


def test_the_models_request_for_a_person_needs_some_confidence():
    # Kana troubles read as requests for a person at 0.5 (writers Z and E): the model's word alone counts from 0.6.
    assert not detect_escalation("いやほん かたほう おとがでない", None, HUMAN_INTENT, 0.52).escalate
    sure = detect_escalation("いやほん かたほう おとがでない", None, HUMAN_INTENT, 0.65)
    assert (sure.escalate, sure.reason) == (True, HUMAN_REQUEST)


def test_a_button_press_keeps_the_issue_type_the_customer_chose():
    # 「/delivery_delay」 from a quick-reply button skips Rasa's NLU pipeline: no issue-type ranking.
    pressed = NluResult.from_parse_data({"text": "/delivery_delay",
                                         "intent": {"name": "delivery_delay", "confidence": 1.0}})
    assert issue_type_of(pressed) == ("delivery_delay", 1.0)
    greeting = NluResult.from_parse_data({"text": "/greet", "intent": {"name": "greet", "confidence": 1.0}})
    assert issue_type_of(greeting) == ("other", 0.0)
    typed = NluResult.from_parse_data({"text": "荷物が届きません", "intent": {"name": "delivery_delay", "confidence": 0.6},
                                       "issue_type": {"ranking": [{"name": "wrong_delivery", "confidence": 0.7}]}})
    assert issue_type_of(typed) == ("wrong_delivery", 0.7)  # typed text: the classifier decides


def _review_cases() -> list[tuple[str, str | None, str]]:
    rows = (PROJECT_ROOT / "tests" / "data" / "escalation_review_ab_ac.tsv").read_text(encoding="utf-8").splitlines()
    cases = []
    for row in rows:
        if row and not row.startswith("#"):
            expected, intent, text = row.split("\t")
            cases.append((expected, None if intent == "-" else intent, text))
    return cases


@pytest.mark.parametrize("expected, intent, text", _review_cases())
def test_what_the_review_of_the_ab_and_ac_rows_expects(expected, intent, text):
    # the review's calm messages near each new row (a button 押しかけた, 誠意をお示しいただき thanks, a video of the
    # unboxing, a selfie to check a size, 引っ越し代を払っているので, the shop's logo on a sticker) and its threats and
    # demands in other words (「親戚一同も押しかけますからね」, 「5万円くれれば、Xに晒さないでおいてやるよ」)
    found = detect_escalation(text, intent=intent, intent_confidence=0.95)
    assert found.reason == expected, found
