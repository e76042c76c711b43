"""``LinearScorer`` reads a fitted logistic regression from its plain arrays (the stored model has no pickle)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from bot.rasa_nlu.components import LinearScorer


@pytest.mark.parametrize("classes", [2, 4])
def test_the_scorer_gives_the_fitted_models_own_probabilities(classes):
    """Binary models keep one row of weights; P(second class) is sigmoid(score), not sigmoid(2·score)."""
    rng = np.random.default_rng(7)
    features = rng.normal(size=(60, 5))
    labels = np.arange(60) % classes
    model = LogisticRegression(max_iter=1000).fit(features, labels)
    assert np.allclose(LinearScorer(model.coef_, model.intercept_)(features), model.predict_proba(features))
