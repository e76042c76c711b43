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


def test_newton_cg_reaches_the_model_and_temperature_lbfgs_reaches_on_sparse_weighted_counts():
    """The IssueTypeClassifier fits with newton-cg because it is three times faster on its 224,101 columns
    (py-spy of a training: lbfgs's own bookkeeping outweighed the gradient); the loss is strictly convex, so the
    model, and the temperature fitted from warm-started folds, must be the ones lbfgs finds."""
    import scipy.sparse as sp

    from bot.rasa_nlu.components import balanced_weights, fit_temperature

    rng = np.random.default_rng(11)
    labels = rng.integers(0, 4, size=400)
    counts = rng.poisson(0.05, size=(400, 600)) + (rng.random((400, 600)) < 0.1) * (np.arange(600) % 4 == labels[:, None])
    features = sp.csr_matrix(counts.astype(float))
    weights = balanced_weights(labels, np.where(np.arange(400) % 3 == 0, 0.5, 1.0))
    fitted = {solver: LogisticRegression(C=64, max_iter=3000, solver=solver, tol=1e-6).fit(features, labels,
                                                                                          sample_weight=weights)
              for solver in ("lbfgs", "newton-cg")}
    assert np.allclose(fitted["lbfgs"].predict_proba(features), fitted["newton-cg"].predict_proba(features), atol=1e-3)
    temperatures = {solver: fit_temperature(features, labels, 64, 3000, 3, 0, weights,
                                            start=(model.coef_, model.intercept_), solver=solver)
                    for solver, model in fitted.items()}
    assert temperatures["lbfgs"] == pytest.approx(temperatures["newton-cg"], abs=0.05)
