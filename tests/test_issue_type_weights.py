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


def test_a_class_scale_multiplies_that_class_total_and_leaves_the_others_balanced():
    labels = np.array(["other"] * 6 + ["delivery_delay"] * 2 + ["billing_contract"] * 4)
    weights = np.array([0.5] * 3 + [1.0] * 3 + [1.0] * 6)
    plain = balanced_weights(labels, weights)
    scaled = balanced_weights(labels, weights, {"other": 1.5})
    assert np.isclose(scaled[labels == "other"].sum(), 1.5 * scaled[labels == "delivery_delay"].sum())
    assert np.isclose(scaled[labels == "delivery_delay"].sum(), scaled[labels == "billing_contract"].sum())
    assert np.allclose(scaled[labels != "other"], plain[labels != "other"])
    assert np.isclose(scaled[3] / scaled[0], 2.0)  # within `other`, a message still counts twice a half-weight one


def test_with_more_weight_on_other_a_borderline_example_falls_to_other():
    """One feature between the two classes' centres: where the decision lies moves toward the trouble type."""
    rng = np.random.default_rng(5)
    features = np.concatenate([rng.normal(-1, 1, 200), rng.normal(1, 1, 200)]).reshape(-1, 1)
    labels = np.array(["other"] * 200 + ["defective_product"] * 200)
    plain = LogisticRegression().fit(features, labels, sample_weight=balanced_weights(labels, np.ones(400)))
    leaning = LogisticRegression().fit(features, labels,
                                       sample_weight=balanced_weights(labels, np.ones(400), {"other": 1.5}))
    assert plain.predict([[0.15]])[0] == "defective_product"
    assert leaning.predict([[0.15]])[0] == "other"
