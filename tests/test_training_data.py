"""Training data and domain are consistent: `rasa data validate` finds no errors."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
import yaml

from bot.config import PROJECT_ROOT
from bot.faq import ENGLISH_RESPONSE_PREFIX

# Responses sent by custom actions (acks, form prompts) are not named in rules,
# so Rasa reports them as unused; everything else it reports is a defect.
_UNUSED_RESPONSE = re.compile(r"The utterance '(utter_\w+)' is not used in any story or rule")
# `escalate` is put on top by the EscalationDetector component (rules), never learned from examples.
_RULE_SET_INTENT = "The intent 'escalate' is listed in the domain file, but is not found in the NLU training data"
# Rasa adds every retrieval intent of the NLU data (faq/<id>, from bot/rasa_nlu/faq_importer.py) to the
# domain once more and says so; `faq` is declared once, in domain.yml, where the rules read it.
_RETRIEVAL_INTENT_ADDED_AGAIN = "duplicated intents have been found across multiple domain files: faq"


@pytest.mark.model  # Rasa's own check of what training reads: with the training tier
def test_rasa_data_validate_is_clean():
    result = subprocess.run(
        [sys.executable, "-m", "rasa", "data", "validate", "--domain", "domain.yml", "--config", "config.yml",
         "--data", "data/nlu", "data/rules", "data/stories"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600,
        env={"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin", "PYTHONWARNINGS": "ignore"},
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    output = result.stdout + result.stderr
    warnings = [line for line in output.splitlines() if "UserWarning" in line]
    unexplained = [w for w in warnings if not _UNUSED_RESPONSE.search(w) and _RULE_SET_INTENT not in w
                   and not w.rstrip().endswith(_RETRIEVAL_INTENT_ADDED_AGAIN)]
    assert unexplained == []
    assert "bot.rasa_nlu.components.EscalationDetector" in (PROJECT_ROOT / "config.yml").read_text(encoding="utf-8")
    # Responses are named by the actions, or by bot.triage's escalation decision (Escalation.response).
    action_code = "".join(p.read_text(encoding="utf-8") for folder in ("actions", "bot/triage")
                          for p in (PROJECT_ROOT / folder).glob("*.py"))
    with open(PROJECT_ROOT / "domain.yml", encoding="utf-8") as f:
        domain = yaml.safe_load(f)
    # Families sent by name pattern, e.g. response=f"utter_ack_{issue_type}".
    families = re.findall(r'response=f"(utter_\w*?)\{', action_code) + re.findall(r'return f"(utter_\w*?)\{', action_code)
    for line in warnings:
        if _RULE_SET_INTENT in line or line.rstrip().endswith(_RETRIEVAL_INTENT_ADDED_AGAIN):
            continue
        name = _UNUSED_RESPONSE.search(line).group(1)
        used = (f'"{name}"' in action_code or name.startswith("utter_ask_")
                or name.startswith(ENGLISH_RESPONSE_PREFIX)  # the FAQ's English answers (actions/faq.py)
                or name == "utter_faq"  # the FAQ's answers utter_faq/<id>, as a group
                or any(name.startswith(prefix) for prefix in families))
        assert used, f"{name} is sent by nobody"
    assert "utter_ask_order_number" in domain["responses"]
