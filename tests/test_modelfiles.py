"""The model's fingerprint: what shapes the model retrains it, nothing else does."""

import shutil

from bot.config import PROJECT_ROOT
from bot.modelfiles import MODEL_INPUTS, fingerprint


def _copy_inputs(tmp_path):
    for name in (*MODEL_INPUTS, "constraints.txt"):
        source, target = PROJECT_ROOT / name, tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if source.is_dir() else shutil.copy)(source, target)
    return tmp_path


def test_a_new_test_tool_in_the_constraints_does_not_retrain(tmp_path):
    root = _copy_inputs(tmp_path)
    before = fingerprint(root)
    with open(root / "constraints.txt", "a", encoding="utf-8") as f:
        f.write("some-test-tool==1.0\n")
    assert fingerprint(root) == before


def test_another_tensorflow_or_training_data_retrains(tmp_path):
    root = _copy_inputs(tmp_path)
    before = fingerprint(root)
    constraints = root / "constraints.txt"
    constraints.write_text(constraints.read_text(encoding="utf-8").replace("tensorflow==2.12.0", "tensorflow==2.12.1"),
                           encoding="utf-8")
    after_pin = fingerprint(root)
    assert after_pin != before
    with open(root / "data" / "nlu" / "other.yml", "a", encoding="utf-8") as f:
        f.write("\n")
    assert fingerprint(root) != after_pin


def test_the_issue_type_classifier_is_trained_again_whenever_the_model_changes():
    """It stores the model's fingerprint; a copy from Rasa's training cache named an older model."""
    from bot.rasa_nlu.components import IssueTypeClassifier

    assert IssueTypeClassifier.fingerprint_addon({}) == fingerprint()
