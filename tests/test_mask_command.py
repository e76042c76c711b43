"""`python -m bot mask`: the command shops run on exported conversation logs before they leave the shop."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from bot.config import PROJECT_ROOT
from tests.conftest import sqlite_copy


@pytest.fixture(scope="module")
def shop_url(_sqlite_templates, tmp_path_factory) -> str:
    return sqlite_copy(_sqlite_templates, tmp_path_factory.mktemp("mask"), with_demo_shop=True)


def run_mask(*args: str, database_url: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot", "mask", *args], cwd=PROJECT_ROOT, input=stdin,
                          capture_output=True, timeout=120, env={**os.environ, "DATABASE_URL": database_url})


def out_lines(result: subprocess.CompletedProcess) -> list[dict]:
    return [json.loads(line) for line in result.stdout.decode("utf-8").splitlines()]


def test_one_text_is_masked_with_the_shops_customers(shop_url):
    result = run_mask("山田花子です。電話は〇九〇、一二三四、五六七八。MD26110220 の 3,980円、11月16日の件",
                      database_url=shop_url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode("utf-8") == "[氏名]です。電話は[電話番号]。MD26110220 の 3,980円、11月16日の件\n"
    assert result.stderr == b""


def test_a_jsonl_export_gives_one_masked_record_per_line_in_order(shop_url, tmp_path):
    texts = [
        "Yamada Hanako 様の件で、住所は神宮前1丁目2番3号です",
        "kenta.sasaki [at] example dot com に返事ください",
        "カード 4111 1111 1111 1111 有効期限 12/28 セキュリティコード 123 で払いました",
        "伊藤様（68歳）と同じ家の者です",
        "注文番号ＭＤ２６１１０２２０、受付番号 T20261124-00001、追跡番号7616-3675-0735、3,980円",
    ]
    expected = [
        "[氏名] 様の件で、住所は[住所]です",
        "[メールアドレス] に返事ください",
        "カード [カード番号] 有効期限 [有効期限] セキュリティコード [セキュリティコード] で払いました",
        "[氏名]様（[年齢]）と同じ家の者です",
        texts[4],
    ]
    path = tmp_path / "export.jsonl"
    path.write_text("".join(json.dumps({"text": t, "id": k}, ensure_ascii=False) + "\n"
                            for k, t in enumerate(texts * 200)), encoding="utf-8")
    result = run_mask("--file", str(path), database_url=shop_url)
    assert result.returncode == 0, result.stderr
    assert out_lines(result) == [{"text": t} for t in expected * 200]


def test_a_bad_line_is_reported_by_number_in_its_place_and_the_rest_is_still_written(shop_url, tmp_path):
    path = tmp_path / "export.jsonl"
    path.write_bytes(
        '{"text": "電話は090-1234-5678です"}\n'.encode()
        + '{"text": 山田花子 090-8888-1546}\n'.encode()      # not JSON
        + '{"message": "伊藤様 080-5555-2731"}\n'.encode()    # no "text"
        + b'{"text": "\xff\xfe"}\n'                          # not UTF-8
        + '{"text": ["御手洗 剛"]}\n'.encode()               # "text" not a string
        + b"\n"
        + '{"text": "佐々木健太さんへ"}\n'.encode()
    )
    result = run_mask("--file", str(path), database_url=shop_url)
    assert result.returncode == 2
    lines = out_lines(result)
    assert lines[0] == {"text": "電話は[電話番号]です"}
    assert [list(line) for line in lines[1:5]] == [["error"]] * 4
    assert [line["error"].split(":")[0] for line in lines[1:5]] == ["line 2", "line 3", "line 4", "line 5"]
    assert lines[5] == {"text": "[氏名]さんへ"}, "the blank line 6 is skipped, line 7 is still masked"
    stderr = result.stderr.decode("utf-8")
    assert all(f"line {n}" in stderr for n in (2, 3, 4, 5))
    for secret in ("090-8888-1546", "山田", "伊藤", "2731", "御手洗", "1546"):
        assert secret not in stderr and secret not in result.stdout.decode("utf-8")


def test_standard_input_works_as_a_file(shop_url):
    result = run_mask("--file", "-", database_url=shop_url,
                      stdin='{"text": "菅原渚です 080-1212-5903"}\n'.encode())
    assert result.returncode == 0, result.stderr
    assert out_lines(result) == [{"text": "[氏名]です [電話番号]"}]


def test_without_a_database_it_says_so_and_still_masks_patterns(tmp_path):
    missing = tmp_path / "no-such.db"
    result = run_mask("山田花子です。hanako.yamada＠example.jp、〇九〇-一二三四-五六七八", database_url=f"sqlite:///{missing}")
    assert result.returncode == 0
    assert result.stdout.decode("utf-8") == "山田花子です。[メールアドレス]、[電話番号]\n"
    assert "no shop database" in result.stderr.decode("utf-8")
    assert not missing.exists(), "masking must not create an empty database"


def test_an_unreadable_database_is_reported_and_patterns_still_masked(tmp_path):
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"this is not a database" * 100)
    result = run_mask("電話は090-1234-5678", database_url=f"sqlite:///{broken}")
    assert result.returncode == 0
    assert result.stdout.decode("utf-8") == "電話は[電話番号]\n"
    assert "cannot be read" in result.stderr.decode("utf-8")


@pytest.mark.parametrize("args", [[], ["text", "--file", "x.jsonl"]], ids=["nothing", "both"])
def test_it_needs_exactly_one_text_or_file(args, tmp_path):
    result = run_mask(*args, database_url=f"sqlite:///{tmp_path / 'none.db'}")
    assert result.returncode == 2
    assert "give one text, or --file" in result.stderr.decode("utf-8")


def test_a_missing_file_is_a_clear_error(tmp_path):
    result = run_mask("--file", str(tmp_path / "missing.jsonl"), database_url=f"sqlite:///{tmp_path / 'none.db'}")
    assert result.returncode == 2
    assert "cannot read" in result.stderr.decode("utf-8")
