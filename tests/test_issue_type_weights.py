"""How much each training example counts for the IssueTypeClassifier (``balanced_weights``)."""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression

from bot.rasa_nlu.components import balanced_weights


def test_with_equal_example_weights_every_class_weighs_as_sklearns_balanced_class_weight_makes_it():
    labels = np.array(["other"] * 6 + ["delivery_delay"] * 3 + ["billing_contract"] * 1)
    rng = np.random.default_rng(3)
    features = rng.normal(size=(len(labels), 4))
    ours = LogisticRegression(max_iter=2000).fit(features, labels, sample_weight=balanced_weights(labels, np.ones(10)))
    sklearns = LogisticRegression(max_iter=2000, class_weight="balanced").fit(features, labels)
    assert np.allclose(ours.coef_, sklearns.coef_, atol=1e-6)


def test_a_lighter_example_takes_weight_from_its_own_class_only():
    """Four FAQ phrasings at a quarter each beside two messages: `other` still weighs what every class weighs,
    and within it a message counts four times a phrasing."""
    labels = np.array(["other"] * 6 + ["delivery_delay"] * 2)
    weights = np.array([0.25] * 4 + [1.0] * 2 + [1.0] * 2)
    result = balanced_weights(labels, weights)
    assert np.isclose(result[labels == "other"].sum(), result[labels == "delivery_delay"].sum())
    assert np.isclose(result[4] / result[0], 4.0)
