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


@pytest.mark.parametrize("classes", [2, 4])
def test_the_temperature_is_fitted_for_any_number_of_classes(classes):
    """A binary model's decision function is one column; the temperature search must read it as the scorer does.

    Noisy labels make a plain logistic regression over-confident on examples it
    did not see, so the fitted temperature is above 1: the folds' scores are
    really read, not dropped (with two classes they once raised a shape error).
    """
    from bot.rasa_nlu.components import fit_temperature

    rng = np.random.default_rng(3)
    features = rng.normal(size=(300, 8))
    labels = np.argmax(features[:, :classes] + rng.normal(scale=1.5, size=(300, classes)), axis=1)
    temperature = fit_temperature(features, labels, C=100.0, max_iter=1000, folds=5, seed=0)
    assert 0.2 <= temperature <= 2.0
    assert temperature > 1.0
