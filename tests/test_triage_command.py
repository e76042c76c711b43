"""`python -m bot triage`: the public command shops use on exported complaint logs."""

from __future__ import annotations

import json
import subprocess
import sys

from bot.config import PROJECT_ROOT
from bot.support import ISSUE_TYPES


def run_triage(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot", "triage", *args], cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=300)


def test_one_message_prints_one_json_object(model_path):
    result = run_triage("注文したＭＤ２６１１０２２０の荷物がまだ届かないんだけど😡")
    assert result.returncode == 0, result.stderr
    [line] = result.stdout.splitlines()
    record = json.loads(line)
    assert record["issue_type"] == "delivery_delay"
    assert 0.0 <= record["confidence"] <= 1.0
    assert record["escalate"] is False
    assert record["reason"] == "none"
    assert record["faq"] is None
    assert record["model"] == model_path.name.removeprefix("madoguchi-").removesuffix(".tar.gz")


def test_a_jsonl_file_gives_one_line_per_message_in_order(model_path, tmp_path):
    messages = [
        "商品が壊れていました", "返品したいです", "ログインできません", "二重に請求されています",
        "ギフト包装はできますか", "充電中に煙が出ました", "返品するなら何日以内に送ればいいですか？",
    ]
    n = len(messages)
    path = tmp_path / "messages.jsonl"
    path.write_text("".join(json.dumps({"text": m}, ensure_ascii=False) + "\n" for m in messages * 50),
                    encoding="utf-8")
    result = run_triage("--file", str(path))
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == n * 50
    assert all(r["issue_type"] in ISSUE_TYPES for r in records)
    assert records[:n] == records[n:2 * n]
    # An everyday question is no trouble: "faq" names the shop's FAQ entry that answers it, and its issue type is
    # "other", or the entry's trouble topic (data/faq.yml issue_type: return_policy is refund_return).
    assert [(r["issue_type"], r["faq"]) for r in records[:n]] == [
        ("defective_product", None), ("refund_return", None), ("system_trouble", None), ("billing_contract", None),
        ("other", "gift_wrapping"), ("product_safety", None), ("refund_return", "return_policy")]
    assert not any(r["escalate"] for r in records)


def test_escalation_fields_carry_reason_severity_and_evidence(model_path, tmp_path):
    path = tmp_path / "escalations.jsonl"
    path.write_text(json.dumps({"text": "SNSで宣伝すれば代金と報酬を払うと言われて10万円分買ったのに業者と連絡が取れません"},
                               ensure_ascii=False) + "\n", encoding="utf-8")
    result = run_triage("--file", str(path))
    assert result.returncode == 0, result.stderr
    [record] = [json.loads(line) for line in result.stdout.splitlines()]
    assert (record["escalate"], record["reason"], record["severity"]) == (True, "fraud_scheme", "urgent")
    assert "10万円" in record["evidence"]


def test_a_malformed_line_is_reported_with_its_number(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "届かない"}\n{"message": "x"}\n', encoding="utf-8")
    result = run_triage("--file", str(path))
    assert result.returncode == 2
    assert "line 2" in result.stderr
    assert result.stdout == ""


def test_batched_parsing_reads_every_message_as_rasas_own_processor_does(model_path):
    """``triage --file`` sends messages through the NLU graph in batches (bot.rasa_nlu.model.BATCH);
    each must come out exactly as the dialogue's one-at-a-time parse reads it."""
    import asyncio

    from rasa.core.agent import Agent

    from bot.rasa_nlu.model import BATCH, load_parse_data

    texts = ["商品が壊れていました", "送料って全部でいくらかかりますかね", "すみません、ちょっとお聞きしたいのですが",
             "担当者と話したい", "MD26110220 下4桁5903 まだ届かない", "こんにちは", "ok",
             "かーどのばんごうを いれてしまいました", "SNSで宣伝すれば代金と報酬を払うと言われました"] * 4
    assert len(texts) > BATCH  # more than one batch, the last one partial
    batched = list(load_parse_data(model_path)(texts))
    agent = Agent.load(str(model_path))
    one_by_one = [asyncio.run(agent.parse_message(text)) for text in texts]

    def essentials(data: dict) -> tuple:
        selector = (data.get("response_selector") or {}).get("faq") or {}
        return (data["text"], data["intent"]["name"], round(data["intent"]["confidence"], 6),
                data["intent"].get("full_retrieval_intent_name"), [e["value"] for e in data["entities"]],
                data["issue_type"]["name"], round(data["issue_type"]["confidence"], 6),
                selector.get("response", {}).get("intent_response_key"),
                round(selector.get("question_confidence") or 0, 6), data.get("escalation"))

    assert [essentials(d) for d in batched] == [essentials(d) for d in one_by_one]
