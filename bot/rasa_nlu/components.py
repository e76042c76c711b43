"""Rasa pipeline components for Japanese: normalise first, parse shop entities by rule, escalate by rule."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, List, Text, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import SPACY_DOCS, TOKENS_NAMES
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.model import InvalidModelError
from rasa.nlu.utils.spacy_utils import SpacyModel, SpacyNLP
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RESPONSE_KEY,
    INTENT_RANKING_KEY,
    METADATA,
    PREDICTED_CONFIDENCE_KEY,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_VALUE,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.kana import romaji_to_katakana
from bot.rasa_nlu.register_variants import is_register_variant
from bot.support import ISSUE_TYPES
from bot.text import announces_a_question, find_shop_entities, is_question, is_search_words, normalise
from bot.triage.labels import ISSUE_TYPE_KEY, MODEL_KEY, OTHER, faq_issue_type_of, issue_label_of


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class JapaneseTextNormalizer(GraphComponent):
    """NFKC-normalises every message before the tokenizer sees it.

    Full-width digits, half-width katakana and odd dashes become one form, so
    the model learns ﾄﾄﾞｶﾅｲ and 届かない from the same characters. Entity
    annotations in training data are moved to the normalised offsets.
    """

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "JapaneseTextNormalizer":
        return cls()

    @staticmethod
    def _normalise_message(message: Message) -> None:
        text = message.get(TEXT)
        if not text:
            return
        entities = message.get(ENTITIES)
        if entities:
            moved = []
            for entity in entities:
                entity = dict(entity)
                start = len(normalise(text[: entity[ENTITY_ATTRIBUTE_START]]))
                end = start + len(normalise(text[entity[ENTITY_ATTRIBUTE_START]: entity[ENTITY_ATTRIBUTE_END]]))
                entity[ENTITY_ATTRIBUTE_START], entity[ENTITY_ATTRIBUTE_END] = start, end
                if isinstance(entity.get(ENTITY_ATTRIBUTE_VALUE), str):
                    entity[ENTITY_ATTRIBUTE_VALUE] = normalise(entity[ENTITY_ATTRIBUTE_VALUE])
                moved.append(entity)
            message.set(ENTITIES, moved)
        message.set(TEXT, normalise(text))

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for example in training_data.training_examples:
            self._normalise_message(example)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._normalise_message(message)
        return messages


# ja_ginza's trained components. The pipeline reads only what GiNZA's tokenizer (SudachiPy) gives
# (words, offsets, dictionary forms, part-of-speech tags, readings) and the static word vectors of
# the vocabulary; none of these components changes any of them, they only cost time.
GINZA_COMPONENTS_NOT_READ = ("tok2vec", "parser", "ner", "morphologizer", "compound_splitter",
                             "bunsetu_recognizer")


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MODEL_LOADER,
                           DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER],
                          is_trainable=False, model_from="GinzaNLP")
class GinzaNLP(SpacyNLP):
    """Rasa's SpacyNLP, loading ja_ginza once per process and without the components nobody reads.

    Rasa's own loads the model once for each graph node that uses it (twice
    when a server starts: ~10 s each) and runs tok2vec, NER, the
    morphologizer and the splitters on every message (~35 ms of CPU a
    message on a loaded 2-core machine) although the pipeline reads only
    tokens, readings and the vocabulary's vectors: on every training and
    test text those come out identical without them (checked word by word
    when this was introduced; bench/nlu_quality.py shows the same scores).
    """

    @staticmethod
    @lru_cache(maxsize=2)
    def load_model(spacy_model_name: Text) -> SpacyModel:
        """Like SpacyNLP.load_model (same errors, same version check), cached and lean."""
        import spacy

        if not spacy_model_name:
            return SpacyNLP.load_model(spacy_model_name)  # raises Rasa's own "missing model" error
        try:
            loaded = spacy.load(spacy_model_name, exclude=list(GINZA_COMPONENTS_NOT_READ))
        except OSError:
            return SpacyNLP.load_model(spacy_model_name)  # raises Rasa's own "not installed" error
        required = loaded.meta.get("spacy_version", "")
        if not spacy.util.is_compatible_version(spacy.about.__version__, required):
            raise InvalidModelError(f"The spaCy model {spacy_model_name} requires spaCy {required}, "
                                    f"not {spacy.about.__version__}")
        return SpacyModel(model=loaded, model_name=spacy_model_name)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class ShopEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Order numbers, amounts in yen and digit runs, parsed by ``bot.text`` rules.

    Rules beat a learned tagger here: the formats are exact, and the values
    come back canonical (MD20261234, 150000) for the actions to use.
    """

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "ShopEntityExtractor":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            extracted = [
                {ENTITY_ATTRIBUTE_START: f.start, ENTITY_ATTRIBUTE_END: f.end,
                 ENTITY_ATTRIBUTE_VALUE: f.value, "entity": kind}
                for kind, found in find_shop_entities(text).items()
                for f in found
            ]
            if extracted:
                extracted = self.add_extractor_name(extracted)
            message.set(ENTITIES, message.get(ENTITIES, []) + extracted, add_to_output=True)
        return messages

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {}


def _is_katakana(text: str) -> bool:
    return bool(text) and all("\u30a0" <= ch <= "\u30ff" for ch in text)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=False)
class ReadingLemmatizer(GraphComponent):
    """Gives every token its katakana reading as its lemma.

    Customers write 動かない, うごかない, ｳｺﾞｶﾅｲ or "ugokanai". GiNZA reads
    all of them as ウゴカナイ (romaji through ``bot.kana``), so a
    CountVectorsFeaturizer with ``use_lemma: true`` sees one spelling.
    Place it right after SpacyTokenizer; featurizers that want the surface
    form use ``use_lemma: false``.
    """

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "ReadingLemmatizer":
        return cls()

    @staticmethod
    def _reading(spacy_token) -> str:
        reading = "".join(spacy_token.morph.get("Reading"))
        if _is_katakana(reading):
            return reading
        return romaji_to_katakana(spacy_token.text) or spacy_token.text.lower()

    def _add_readings(self, message: Message) -> None:
        tokens = message.get(TOKENS_NAMES[TEXT])
        doc = message.get(SPACY_DOCS[TEXT])
        if not tokens or doc is None:
            return
        readings = {t.idx: self._reading(t) for t in doc}
        for token in tokens:
            token.lemma = readings.get(token.start, token.text.lower())

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for example in training_data.training_examples:
            self._add_readings(example)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._add_readings(message)
        return messages


def _summed(columns, values):
    """The (columns, values) of one sparse row with duplicate columns added up, columns ascending."""
    import numpy as np

    unique, where = np.unique(columns, return_inverse=True)
    return unique, np.bincount(where, weights=values, minlength=len(unique))


def _normalised(values):
    """L2 normalisation of one row's values (all zero stays zero), as sklearn's ``normalize``."""
    import numpy as np

    norm = np.sqrt(np.dot(values, values))
    return values / norm if norm > 0 else values


def _rows_to_csr(rows, width: int):
    """One CSR matrix from per-row (columns, values) pairs: one construction for the whole batch.

    Building a 1×n sparse matrix per message and stacking them cost more than
    the logistic regressions themselves (scipy's checks on every small matrix).
    """
    import numpy as np
    import scipy.sparse

    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(columns) for columns, _ in rows])
    indices = np.concatenate([columns for columns, _ in rows]) if rows else np.zeros(0, dtype=np.int64)
    data = np.concatenate([values for _, values in rows]) if rows else np.zeros(0)
    return scipy.sparse.csr_matrix((data, indices, indptr), shape=(len(rows), width))


def _feature_row(sparse_blocks, dense, dense_weight: float):
    """(columns, values, width): the L2-normalised sparse blocks side by side, then the weighted dense vector."""
    import numpy as np

    columns, values, width = [], [], 0
    for block_columns, block_values, block_width in sparse_blocks:
        columns.append(np.asarray(block_columns, dtype=np.int64) + width)
        values.append(np.asarray(block_values, dtype=np.float64))
        width += block_width
    if sparse_blocks:
        columns, values = [np.concatenate(columns)], [_normalised(np.concatenate(values))]
    if dense is not None:
        vector = _normalised(np.asarray(dense, dtype=np.float64).ravel()) * dense_weight
        present = np.flatnonzero(vector)
        columns.append(present + width)
        values.append(vector[present])
        width += vector.size
    if not columns:
        return np.zeros(0, dtype=np.int64), np.zeros(0), width
    return np.concatenate(columns), np.concatenate(values), width


def _text_features(message: Message, kind: str):
    """The message's text features of one kind ("sentence" or "sequence"), sparse and dense, in pipeline order."""
    sparse, dense = [], []
    for features in message.features:
        if features.attribute == TEXT and features.type == kind:
            (sparse if features.is_sparse() else dense).append(features.features)
    return sparse, dense


def sentence_features(messages: List[Message], dense_weight: float):
    """One row per message: the L2-normalised sparse n-gram counts beside the weighted GiNZA vector.

    The features every earlier component already computed; the two
    logistic-regression components (issue type, FAQ entry) read them alike.
    """
    import numpy as np

    rows, width = [], 0
    for message in messages:
        sparse, dense = _text_features(message, "sentence")
        blocks = []
        for matrix in sparse:
            coo = matrix.tocoo()
            blocks.append((*_summed(coo.col, coo.data.astype(np.float64)), coo.shape[1]))
        vector = np.hstack([np.asarray(d, dtype=np.float64).ravel() for d in dense]) if dense else None
        columns, values, width = _feature_row(blocks, vector, dense_weight)
        rows.append((columns, values))
    return _rows_to_csr(rows, width)


def substance_features(messages: List[Message], dense_weight: float, contextual: Tuple[str, ...] = ()):
    """Like ``sentence_features``, over the words of the message without its greetings and closings.

    (rows, has_substance): each row sums the per-token sparse features of the
    tokens inside ``bot.text.substance_span`` and averages their GiNZA
    vectors, so 「こんにちは。…よろしくお願いします。」 around a complaint
    changes nothing. Featurizers whose token features describe the
    neighbouring tokens too (named in ``contextual``, e.g.
    LexicalSyntacticFeaturizer) count only the tokens whose neighbours are
    inside as well: at the edges they would differ with and without a
    greeting. A message that is nothing but pleasantries has no row to judge
    (``has_substance`` False).
    """
    import numpy as np

    from bot.text import substance_span

    rows, has_substance, width = [], [], 0
    for message in messages:
        tokens = message.get(TOKENS_NAMES[TEXT]) or []
        start, end = substance_span(message.get(TEXT) or "")
        keep = [i for i, token in enumerate(tokens) if token.start >= start and token.end <= end]
        blocks = []
        for features in message.features:
            if features.attribute != TEXT or not features.is_sparse() or features.type != "sequence":
                continue
            coo = features.features.tocoo()
            counted = keep[1:-1] if any(name in str(features.origin) for name in contextual) else keep
            inside = np.isin(coo.row, counted)
            blocks.append((*_summed(coo.col[inside], coo.data[inside].astype(np.float64)), coo.shape[1]))
        _, dense = _text_features(message, "sequence")
        mean = None
        if dense:
            vectors = np.hstack([np.asarray(d, dtype=np.float64) for d in dense])
            mean = vectors[keep].mean(axis=0) if keep else np.zeros(vectors.shape[1])
        columns, values, width = _feature_row(blocks, mean, dense_weight)
        rows.append((columns, values))
        has_substance.append(bool(keep))
    return _rows_to_csr(rows, width), np.array(has_substance, dtype=bool)


def sparse_width(messages: List[Message]) -> int:
    """How many columns of a feature row are n-gram counts (the GiNZA vector follows them)."""
    for message in messages:
        sparse, _ = _text_features(message, "sequence")
        if sparse:
            return sum(matrix.shape[1] for matrix in sparse)
    return 0


def inverse_document_frequencies(counts, min_df: float = 0.0):
    """Smoothed idf of each column of ``counts`` (rows: documents), as sklearn's ``TfidfTransformer``; a column
    seen in fewer than ``min_df`` documents counts as seen in ``min_df``, so that a word seen once (a product name)
    does not weigh more than the words that tell a trouble."""
    import numpy as np

    seen = np.bincount(counts.tocsr().indices, minlength=counts.shape[1]).astype(np.float64)
    return np.log((1.0 + counts.shape[0]) / (1.0 + np.maximum(seen, min_df))) + 1.0


def idf_weighted(features, idf):
    """Rows of ``substance_features`` with their n-gram part weighted by ``idf`` and L2-normalised again; the
    columns after the n-grams (the GiNZA vector) are left as they are.

    The n-gram part of a row is already L2-normalised, and weighting then normalising gives the same row
    as weighting the raw counts would: normalisation is blind to the row's scale.
    """
    import numpy as np

    weighted = features.tocsr(copy=True)
    rows = np.repeat(np.arange(weighted.shape[0]), np.diff(weighted.indptr))
    ngram = weighted.indices < len(idf)
    weighted.data[ngram] *= idf[weighted.indices[ngram]]
    norms = np.sqrt(np.bincount(rows[ngram], weights=weighted.data[ngram] ** 2, minlength=weighted.shape[0]))
    scale = np.where(norms > 0, norms, 1.0)
    weighted.data[ngram] /= scale[rows[ngram]]
    return weighted


def dictionary_form_words(message: Message, substance_only: bool = True) -> List[str]:
    """The dictionary forms (GiNZA's lemmas: 落ちてる → 落ちる, てる) of the message's words, in order, without the
    greetings and closings at its ends (``bot.text.substance_span``) unless ``substance_only`` is off; none
    without a spaCy doc."""
    from bot.text import substance_span

    doc = message.get(SPACY_DOCS[TEXT])
    if doc is None:
        return []
    start, end = substance_span(doc.text) if substance_only else (0, len(doc.text))
    return [token.lemma_ for token in doc if token.idx >= start and token.idx + len(token) <= end and not token.is_space]


class WordNgrams:
    """Word uni- and bigrams of dictionary forms, idf-weighted and L2-normalised: columns beside the n-gram counts.

    Character n-grams of up to four see a word only in pieces and its inflections apart (剥がれ, はげてる), and a
    pair of words not at all: the dictionary forms put 「はげる」, 「住所 シール」 or 「保存 する」 together however they
    were written. On the held-out split this read eight messages right that the character n-grams alone did not
    (「塗装がはげてる」, 「宛名ラベルの下にもう一枚別人の住所シール」) and five wrong that they had read right
    (「年間プランの途中解約ってできますか?」 as `other`): config.yml has the figures. ``fit`` keeps the words seen in
    at least ``min_df`` messages; ``rows`` gives each message's row times ``weight``. Stored as plain arrays
    (``arrays``, ``from_arrays``).
    """

    def __init__(self, vocabulary: List[str], idf: Any, weight: float, longest: int,
                 substance_only: bool = True) -> None:
        self.columns = {word: column for column, word in enumerate(vocabulary)}
        self.idf, self.weight, self.longest, self.substance_only = idf, weight, longest, substance_only

    def ngrams(self, message: Message) -> List[str]:
        words = dictionary_form_words(message, self.substance_only)
        return [" ".join(words[i:i + n]) for n in range(1, self.longest + 1) for i in range(len(words) - n + 1)]

    @classmethod
    def fit(cls, messages: List[Message], weight: float, longest: int = 2, min_df: int = 2,
            substance_only: bool = True) -> "WordNgrams":
        """Vocabulary and smoothed idf (as sklearn's ``TfidfTransformer``) from ``messages``; ``substance_only``
        off counts the greetings and closings too (the dialogue's intents include greet and thanks)."""
        import numpy as np
        from collections import Counter

        counting = cls([], None, weight, longest, substance_only)
        seen = Counter(gram for message in messages for gram in set(counting.ngrams(message)))
        vocabulary = sorted(gram for gram, count in seen.items() if count >= min_df)
        counts = np.array([seen[gram] for gram in vocabulary], dtype=np.float64)
        return cls(vocabulary, np.log((1.0 + len(messages)) / (1.0 + counts)) + 1.0, weight, longest, substance_only)

    def rows(self, messages: List[Message]):
        import numpy as np
        from collections import Counter

        rows = []
        for message in messages:
            counted = Counter(self.columns[g] for g in self.ngrams(message) if g in self.columns)
            columns = np.array(sorted(counted), dtype=np.int64)
            values = np.array([counted[c] for c in columns], dtype=np.float64) * self.idf[columns]
            rows.append((columns, _normalised(values) * self.weight))
        return _rows_to_csr(rows, len(self.columns))

    def arrays(self) -> Dict[str, Any]:
        import numpy as np

        vocabulary = sorted(self.columns, key=self.columns.get)
        return {"word_vocabulary": np.array(vocabulary, dtype=str), "word_idf": self.idf,
                "word_settings": np.array([self.weight, float(self.longest), float(self.substance_only)])}

    @classmethod
    def from_arrays(cls, stored: Any) -> "WordNgrams | None":
        if "word_vocabulary" not in stored.files or not stored["word_vocabulary"].size:
            return None
        weight, longest, substance_only = stored["word_settings"].tolist()
        return cls([str(w) for w in stored["word_vocabulary"]], stored["word_idf"], weight, int(longest),
                   bool(substance_only))


def balanced_weights(labels, weights, class_scale: Dict[str, float] | None = None) -> "Any":
    """Per-example weights that give every class the same total, as ``class_weight="balanced"`` does by
    counting, but counting each example by its own weight (an FAQ phrasing may count less than a message).

    ``class_scale`` then multiplies a class's total (``{"other": 1.5}``: `other` weighs half as much again as
    each trouble type); scaling a class's examples before balancing would change nothing."""
    import numpy as np

    labels, weights = np.asarray(labels), np.asarray(weights, dtype=float)
    classes = sorted(set(labels))
    totals = {c: weights[labels == c].sum() for c in classes}
    scale = class_scale or {}
    return np.array([w * weights.sum() * scale.get(c, 1.0) / (len(classes) * totals[c])
                     for c, w in zip(labels, weights, strict=True)])


def fit_temperature(features, labels, C: float, max_iter: int, folds: int, seed: int,
                    sample_weight=None, start=None, class_scale: Dict[str, float] | None = None,
                    solver: str = "lbfgs") -> float:
    """The temperature that makes cross-validated probabilities honest (least log-loss on held-out folds).

    A regularised, class-balanced logistic regression is under-confident: it
    says 0.7 where it is right nine times in ten, so "confident" would mean
    little. Dividing its scores by this temperature (fitted on folds of the
    training data, never on the test split) calibrates them.

    ``start`` (weights, bias of the model fitted on all the data) is where
    each fold's fit begins: the loss is strictly convex, so a converged
    fold's model is the same wherever its fit starts, and at little
    regularisation (C 64) the issue-type classifier's three folds took about
    ten minutes from zero and about six from there (2026-12-03, two loaded cores)
    with ``solver`` lbfgs; newton-cg reaches the same optimum in a third of the time
    (see IssueTypeClassifier).
    """
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    def fit(features, labels, weights):
        model = LogisticRegression(C=C, max_iter=max_iter, solver=solver, warm_start=start is not None)
        if start is not None and len(set(labels)) == len(start[1]):
            model.coef_, model.intercept_ = np.array(start[0], copy=True), np.array(start[1], copy=True)
        return model.fit(features, labels, sample_weight=balanced_weights(labels, weights, class_scale))

    return cross_validated_temperature(features, labels, fit, folds, seed, sample_weight, np.linspace(0.2, 2.0, 37))


def cross_validated_temperature(features, labels, fit, folds: int, seed: int, sample_weight, temperatures) -> float:
    """Of ``temperatures``, the one whose softmax of held-out scores has the least log-loss.

    ``fit(features, labels, weights)`` returns a fitted linear model (``classes_``, ``decision_function``);
    each fold's held-out examples are scored by the model fitted on the others.
    """
    import numpy as np
    from sklearn.model_selection import StratifiedKFold

    labels = np.asarray(labels)
    weights = np.ones(len(labels)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    classes = np.array(sorted(set(labels)))
    scores = np.zeros((len(labels), len(classes)))
    for train, held in StratifiedKFold(folds, shuffle=True, random_state=seed).split(features, labels):
        model = fit(features[train], labels[train], weights[train])
        held_scores = model.decision_function(features[held])
        if held_scores.ndim == 1:  # two classes: one score for the second, as LinearScorer reads it
            held_scores = np.column_stack([np.zeros_like(held_scores), held_scores])
        scores[np.ix_(held, np.searchsorted(classes, model.classes_))] = held_scores
    truth = np.searchsorted(classes, labels)
    best_loss, best_temperature = None, 1.0
    for temperature in temperatures:
        z = scores / temperature
        z = z - z.max(axis=1, keepdims=True)
        loss = -np.average(z[np.arange(len(z)), truth] - np.log(np.exp(z).sum(axis=1)), weights=weights)
        if best_loss is None or loss < best_loss:
            best_loss, best_temperature = loss, float(temperature)
    return best_temperature


class LinearScorer:
    """Class probabilities of a fitted logistic regression, from its plain arrays, laid out once.

    ``features @ weights.T`` with sparse features makes scipy copy the
    transposed weights (29 classes × ~60,000 n-grams) on every call: 5 ms of
    every message's 30 in a profile of ``triage --file``. The weights are
    transposed into contiguous columns (and divided by the temperature) once,
    when the component first scores.
    """

    def __init__(self, weights, bias, temperature: float = 1.0) -> None:
        import numpy as np

        self._columns = np.ascontiguousarray(np.asarray(weights, dtype=np.float64).T / temperature)
        self._bias = np.asarray(bias, dtype=np.float64) / temperature

    def __call__(self, features):
        import numpy as np

        scores = np.asarray(features @ self._columns) + self._bias
        if self._columns.shape[1] == 1:  # sklearn keeps one row of weights for two classes: P(second) = sigmoid(score)
            scores = np.hstack([np.zeros_like(scores), scores])
        scores = np.exp(scores - scores.max(axis=1, keepdims=True))
        return scores / scores.sum(axis=1, keepdims=True)


class CalibratedLinearClassifier(GraphComponent):
    """What the intent and issue-type classifiers share: a linear model's weights, bias and class
    labels, and the temperature that calibrates its scores, read by one ``LinearScorer``."""

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 weights: Any = None, bias: Any = None, labels: List[str] | None = None,
                 temperature: float = 1.0) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._weights, self._bias = weights, bias
        self._labels = labels or []
        self._temperature = temperature
        self._scorer: LinearScorer | None = None  # built at the first message (the weights may come from train)
        self._words: WordNgrams | None = None  # word n-gram columns after all others (config word_ngrams)

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "CalibratedLinearClassifier":
        return cls(config, model_storage, resource)

    def _with_words(self, features, messages: List[Message]):
        """``features`` with the word n-gram columns (``WordNgrams``) after them, when the model has them."""
        if self._words is None:
            return features
        import scipy.sparse

        return scipy.sparse.hstack([features, self._words.rows(messages)], format="csr")

    def _probabilities(self, features):
        """One row of class probabilities (in ``self._labels``' order) per row of features."""
        if self._scorer is None:
            self._scorer = LinearScorer(self._weights, self._bias, self._temperature)
        return self._scorer(features)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class LinearIntentClassifier(CalibratedLinearClassifier):
    """The dialogue intent of a message: a linear SVM with calibrated scores, in place of DIET.

    DIET took 51 of the 64 training minutes on the slowest machine seen
    (CI's run came within two minutes of its 90-minute limit), and its
    borderline readings moved from one training to the next on the same data
    and seed. This reads the same sentence features as the FAQ selector and
    the issue-type classifier (``sentence_features``: character n-grams of
    surface and reading, regexes, GiNZA's vector) and trains in seconds
    (liblinear: one-vs-rest hinge loss; a multinomial logistic regression
    took over two minutes per fit). Its scores become probabilities by a
    softmax at a temperature fitted by cross-validation on the training data
    (``cross_validated_temperature``), so the FallbackClassifier's 0.45 and
    the escalation model's 0.80 keep a meaning. With ``word_ngrams`` it also
    reads word uni- and bigrams of the whole message (``WordNgrams``): writer
    N's escalations caught went from 0.945 to 0.961 (config.yml).

    The intents are *not* re-weighted to equal totals: ``faq`` is one intent
    with the phrasings of every entry of the shop's FAQ, and weighing it like
    one trouble type sent short questions (「営業時間」「返品期限」) into the
    trouble flow (19 of the development split's 208 Japanese questions, 7 unweighted; DIET 11).
    The same data gives the same model on every machine. Plain arrays on
    disk, no pickle.
    """

    FILE = "linear_intent_classifier.npz"

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # C: the SVM's inverse regularisation; dense_weight: the GiNZA vector beside the L2-normalised
        # n-gram counts; folds: for the temperature; ranking_length: intents kept in the ranking (0: all);
        # escalations_only_from: writers whose messages teach this classifier only their escalations (see train).
        # word_ngrams, word_weight, word_min_df: word n-grams of the whole message beside the features (WordNgrams).
        return {"C": 1.0, "dense_weight": 0.5, "folds": 3, "random_seed": 20261202, "ranking_length": 10,
                "escalations_only_from": [], "word_ngrams": 0, "word_weight": 0.5, "word_min_df": 2}

    def _fit(self, features, labels, weights=None):
        from sklearn.svm import LinearSVC

        return LinearSVC(C=self._config["C"], random_state=self._config["random_seed"]).fit(
            features, labels, sample_weight=weights)

    def train(self, training_data: TrainingData) -> Resource:
        import numpy as np

        from bot.triage.escalation import REASON_OF_INTENT
        from bot.triage.labels import writer_of

        # Register variants of FAQ phrasings teach the FaqEntrySelector only (bot.rasa_nlu.faq_importer).
        # The troubles of the writers in `escalations_only_from` teach the issue-type classifier, not the
        # dialogue: with writers R to W's 1,900 troubles here, short questions (「代引き」) went to the
        # trouble flow and writer B's FAQ questions answered fell from 0.931 to 0.893.
        escalations_only = set(self._config["escalations_only_from"])
        examples = [m for m in training_data.intent_examples
                    if m.get(TEXT) and m.get(INTENT) and not is_register_variant(m)
                    and (m.get(INTENT) in REASON_OF_INTENT or writer_of(m.get(METADATA)) not in escalations_only)]
        labels = np.array([m.get(INTENT) for m in examples])
        self._words = None
        if self._config["word_ngrams"]:
            self._words = WordNgrams.fit(examples, float(self._config["word_weight"]), int(self._config["word_ngrams"]),
                                         int(self._config["word_min_df"]), substance_only=False)
        features = self._features(examples)
        model = self._fit(features, labels)
        self._weights, self._bias, self._labels = model.coef_, model.intercept_, [str(c) for c in model.classes_]
        self._temperature = cross_validated_temperature(
            features, labels, self._fit, self._config["folds"], self._config["random_seed"], None,
            np.linspace(0.02, 1.0, 50))  # hinge-loss margins are about ±1: the useful temperatures are small
        self.persist()
        return self._resource

    def persist(self) -> None:
        import numpy as np

        with self._model_storage.write_to(self._resource) as directory:
            np.savez(directory / self.FILE, weights=self._weights, bias=self._bias,
                     labels=np.array(self._labels), temperature=np.array(self._temperature),
                     **(self._words.arrays() if self._words is not None else {}))

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "LinearIntentClassifier":
        import numpy as np

        with model_storage.read_from(resource) as directory:
            stored = np.load(directory / cls.FILE, allow_pickle=False)
            classifier = cls(config, model_storage, resource, stored["weights"], stored["bias"],
                             [str(label) for label in stored["labels"]], float(stored["temperature"]))
            classifier._words = WordNgrams.from_arrays(stored)
            return classifier

    def _features(self, messages: List[Message]):
        return self._with_words(sentence_features(messages, self._config["dense_weight"]), messages)

    def process(self, messages: List[Message]) -> List[Message]:
        if self._weights is None or not messages:
            return messages
        probabilities = self._probabilities(self._features(messages))
        keep = self._config["ranking_length"] or len(self._labels)
        for message, row in zip(messages, probabilities, strict=True):
            ranking = sorted(zip(self._labels, row.tolist(), strict=True), key=lambda pair: -pair[1])[:keep]
            intents = [{INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: confidence} for name, confidence in ranking]
            message.set(INTENT, intents[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, intents, add_to_output=True)
        return messages


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class IssueTypeClassifier(CalibratedLinearClassifier):
    """The issue type of every message, a decision of its own beside the dialogue's intent.

    The intent classifier learns intents for the dialogue, where an abusive message is
    ``abusive``. The shop's analysis needs the trouble under it (a 慰謝料
    demand about a late parcel is a ``delivery_delay``), so this classifier
    learns from every example with its issue-type label
    (``bot.triage.issue_label_of``: the intent when it is one of the nine
    types, else the example's ``issue_type`` metadata, else ``other``).

    A multinomial logistic regression on features the pipeline already
    computed (character n-grams of surface and reading, regexes, GiNZA
    vectors), summed over the words of the message without the greetings
    and closings at its ends (``substance_features``): a greeting or a
    thank-you around a complaint is no evidence of ``other``, and a message
    that is nothing but one describes no trouble (``other``, certain). It also
    learns from two register variants of each customer message (hiragana,
    half-width katakana, romaji: ``bot.rasa_nlu.message_variants``) at
    ``variant_weight``, as phones without a Japanese keyboard write. Its
    scores are divided by a temperature fitted by cross-validation on the
    training data (``fit_temperature``), so a confidence of 0.9 means about
    nine in ten right. With ``idf`` the n-gram counts are weighed by how rare
    they are among the training messages as written
    (``inverse_document_frequencies``, ``idf_weighted``; the weights are stored
    with the model): 届い, ません and の say little about which trouble it is,
    and on four writers the model had never seen this lifted macro-F1 by 0.015
    to 0.037 (config.yml). ``other_weight`` scales `other` against each trouble
    type: 0.6 with the idf, which otherwise read short troubles with a rare
    product name as `other`; 1.5 without it helped writers left out and hurt the
    held-out split. With ``word_ngrams`` it also reads word uni- and bigrams of
    the dictionary forms (``WordNgrams``), which character n-grams see only in
    pieces: the held-out split went from 0.854 to 0.867. It trains in about three minutes (about
    24,000 examples with the variants; newton-cg converges in about 20 steps,
    99 s offline, where lbfgs took 1,100 iterations and 323 s), stores
    plain arrays (no pickle), and writes ``issue_type`` (name, confidence, ranking) and the
    model's fingerprint (``bot.modelfiles``, computed when trained) into the
    parse data; it never touches the intent.
    """

    FILE = "issue_type_classifier.npz"

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # C: inverse regularisation strength; dense_weight: how much the GiNZA vectors count beside
        # the L2-normalised n-gram counts; contextual: featurizers whose token features describe the
        # neighbours too (see substance_features); folds: for the temperature.
        # faq_weight: what one of the shop's FAQ phrasings counts for beside a customer's message (see train);
        # variant_weight: what a register variant of a message counts for (bot.rasa_nlu.message_variants);
        # other_weight: what `other` weighs beside each trouble type (balanced_weights' class_scale).
        # word_ngrams: the longest word n-gram of dictionary forms added beside the features (WordNgrams; 0: none),
        # word_weight: their row's length beside the n-gram counts' (1), word_min_df: messages a word must be in.
        # solver: newton-cg, not sklearn's default lbfgs. The loss is strictly convex, so both reach the same model;
        # with 224,101 feature columns times ten classes, lbfgs spent more of its 1,125 iterations in its own
        # bookkeeping than in the gradient (py-spy of a training), and newton-cg takes 19 steps: the fit went from
        # 323 s to 99 s offline with the same predictions on M, N, X, Y and the held-out split (2026-12-03).
        return {"C": 16.0, "dense_weight": 0.5, "max_iter": 3000, "contextual": ["LexicalSyntacticFeaturizer"],
                "folds": 3, "random_seed": 20261130, "retrieval_intent": "faq", "faq_weight": 1.0,
                "variant_weight": 0.0, "other_weight": 1.0, "solver": "newton-cg", "idf": False, "idf_min_df": 0.0,
                "word_ngrams": 0, "word_weight": 0.5, "word_min_df": 2}

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 weights: Any = None, bias: Any = None, labels: List[str] | None = None,
                 fingerprint: str = "", temperature: float = 1.0, idf: Any = None,
                 words: "WordNgrams | None" = None) -> None:
        super().__init__(config, model_storage, resource, weights, bias, labels, temperature)
        self._fingerprint = fingerprint
        self._idf = idf  # per n-gram column, when the config's idf is on (see train)
        self._words = words  # word n-gram columns after all others, when the config's word_ngrams is on

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> str:
        """Rasa reuses a trained component from its cache when its data and config are unchanged; this
        one stores the model's fingerprint, so it is trained again whenever any model input changed
        (a cached copy named the model it was first trained for in every triage record)."""
        from bot.modelfiles import fingerprint

        return fingerprint()

    def _features(self, messages: List[Message]):
        features, has_substance = substance_features(messages, self._config["dense_weight"],
                                                     tuple(self._config["contextual"]))
        if self._idf is not None:
            features = idf_weighted(features, self._idf)
        return self._with_words(features, messages), has_substance

    def train(self, training_data: TrainingData) -> Resource:
        import numpy as np
        from sklearn.linear_model import LogisticRegression

        from bot.modelfiles import fingerprint

        # The shop's FAQ phrasings (data/faq.yml) are `other` here, but they are numerous because the FAQ selector
        # needs every register of every entry, not because messages without a trouble look like them: with
        # full weight they were over half of `other`, and English questions with "what should I do?" read as
        # `other` whatever trouble they told. `faq_weight` scales them (0: the FAQ-or-not model's alone).
        # Register variants of customer messages (hiragana, half-width katakana, romaji: MessageVariantImporter)
        # count `variant_weight` each; the FAQ's own variants teach only the FAQ selector.
        faq, variant_weight = self._config["retrieval_intent"], float(self._config["variant_weight"])
        examples = [m for m in training_data.intent_examples if m.get(TEXT) and (
            not is_register_variant(m) or (variant_weight > 0 and m.get(INTENT) != faq))]
        faq_weight = float(self._config["faq_weight"])
        if faq_weight <= 0:
            examples = [m for m in examples if m.get(INTENT) != faq]
        labels = np.array([issue_label_of(m.get(INTENT), m.get(METADATA)) for m in examples])
        variant = np.array([is_register_variant(m) for m in examples], dtype=bool)
        weights = np.array([variant_weight if is_variant else faq_weight if m.get(INTENT) == faq else 1.0
                            for m, is_variant in zip(examples, variant, strict=True)])
        self._idf, self._words = None, None
        features, has_substance = self._features(examples)
        # bare greetings: other by rule
        features, labels, weights = features[has_substance], labels[has_substance], weights[has_substance]
        variant = variant[has_substance]
        examples = [m for m, judged in zip(examples, has_substance, strict=True) if judged]
        if self._config["idf"]:
            # n-grams weighed by how rare they are among the messages as written (variants would count each
            # message's words three times): shared words like 届い, ません, の count for little.
            self._idf = inverse_document_frequencies(features[~variant][:, :sparse_width(examples)],
                                                     float(self._config["idf_min_df"]))
            features = idf_weighted(features, self._idf)
        if self._config["word_ngrams"]:
            # Vocabulary and idf from the messages as written, as the n-grams' idf above.
            self._words = WordNgrams.fit([m for m, is_variant in zip(examples, variant, strict=True) if not is_variant],
                                         float(self._config["word_weight"]), int(self._config["word_ngrams"]),
                                         int(self._config["word_min_df"]))
            features = self._with_words(features, examples)
        model = LogisticRegression(C=self._config["C"], max_iter=self._config["max_iter"], solver=self._config["solver"])
        class_scale = {OTHER: float(self._config["other_weight"])}
        model.fit(features, labels, sample_weight=balanced_weights(labels, weights, class_scale))
        self._weights, self._bias, self._labels = model.coef_, model.intercept_, [str(c) for c in model.classes_]
        # The temperature from the examples as written: a variant in one fold and its message in another
        # would make the held-out folds look easier than a new customer's message is.
        self._temperature = fit_temperature(features[~variant], labels[~variant], self._config["C"],
                                            self._config["max_iter"], self._config["folds"],
                                            self._config["random_seed"], weights[~variant],
                                            start=(model.coef_, model.intercept_), class_scale=class_scale,
                                            solver=self._config["solver"])
        self._fingerprint = fingerprint()
        self.persist()
        return self._resource

    def persist(self) -> None:
        import numpy as np

        with self._model_storage.write_to(self._resource) as directory:
            np.savez(directory / self.FILE, weights=self._weights, bias=self._bias,
                     labels=np.array(self._labels), fingerprint=np.array(self._fingerprint),
                     temperature=np.array(self._temperature),
                     idf=np.zeros(0) if self._idf is None else self._idf,
                     **(self._words.arrays() if self._words is not None else {}))

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "IssueTypeClassifier":
        import numpy as np

        with model_storage.read_from(resource) as directory:
            stored = np.load(directory / cls.FILE, allow_pickle=False)
            idf = stored["idf"] if "idf" in stored.files and stored["idf"].size else None
            return cls(config, model_storage, resource, stored["weights"], stored["bias"],
                       [str(label) for label in stored["labels"]], str(stored["fingerprint"]),
                       float(stored["temperature"]), idf, WordNgrams.from_arrays(stored))

    def process(self, messages: List[Message]) -> List[Message]:
        if self._weights is None or not messages:
            return messages
        features, has_substance = self._features(messages)
        probabilities = self._probabilities(features)
        for message, row, judged in zip(messages, probabilities, has_substance, strict=True):
            if judged:
                ranking = sorted(zip(self._labels, row.tolist(), strict=True), key=lambda pair: -pair[1])
            else:  # nothing but greetings and closings: no trouble in it
                ranking = [(OTHER, 1.0)] + [(label, 0.0) for label in self._labels if label != OTHER]
            message.set(ISSUE_TYPE_KEY, {"name": ranking[0][0], "confidence": ranking[0][1],
                                         "ranking": [{"name": n, "confidence": c} for n, c in ranking]},
                        add_to_output=True)
            message.set(MODEL_KEY, self._fingerprint, add_to_output=True)
        return messages


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class FaqEntrySelector(GraphComponent):
    """Which entry of the shop's FAQ a question asks: the retrieval intent ``faq/<id>``.

    Replaces Rasa's ResponseSelector, which on this data took 17 of 27
    training minutes, tripled the model file (136 → 462 MB) and chose the
    right entry less often: a multinomial logistic regression on the same
    sentence features (``sentence_features``) trains in a second or two and
    picked the right entry for 0.977 of the held-out questions of
    ``bench/data/faq_heldout.yml`` in a plain character n-gram prototype.
    Strong regularisation is wrong here: 29 entries with ~25 phrasings each
    are few examples per class, so ``C`` is large. Its scores are left raw:
    calibrated by a cross-validated temperature they answered an English
    complaint with the contact page (0.43), and ``MIN_ANSWER_CONFIDENCE``
    was set on raw scores.

    It also tells how likely the message asks the FAQ at all
    (``question_confidence``): a second, two-class logistic regression on the
    same features, FAQ phrasings against every other training example
    (troubles, escalations, greetings, questions the FAQ does not answer),
    class-balanced. DIET alone decided "FAQ or not" before, and every
    Japanese miss of the FAQ bench was there (questions read as a trouble or
    not understood) while the entry was right; ``FaqQuestionDetector`` reads
    this figure. One multinomial model with "not FAQ" as a 30th class did as
    well but took minutes to train instead of seconds.

    It keeps each entry's trouble topic (data/faq.yml ``issue_type``, from the
    examples' metadata) and names it beside the best entry
    (``response_selector.faq.response.issue_type``): a question answered from
    「return_policy」 is a ``refund_return`` in triage (``bot.triage.triage``). The topic
    travels in the model, like the answers, so what labelled a message is the model
    whose fingerprint the triage record names.

    It writes the parse data in the ResponseSelector's own shape
    (``response_selector.faq.response.intent_response_key``, ``ranking``,
    ``all_retrieval_intents``), so Rasa's processor fills in
    ``full_retrieval_intent_name`` and ``bot.faq_answer.FaqReading`` reads it as
    before; whether the bot answers is ``bot.faq_answer.FaqReading.answer_id`` (intent
    ``faq`` and both confidences over their thresholds).
    """

    FILE = "faq_entry_selector.npz"

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # question_C: regularisation of the FAQ-or-not model (chosen by 4-fold cross-validation on the
        # training data: 4 and 16 tie, 64 detects fewer questions).
        # solver: newton-cg, for the reason the IssueTypeClassifier gives: the same models as lbfgs (on the FAQ
        # benches' 580 questions the same entry every time, probabilities within 0.0002) in less time (the
        # entry model 177 s -> 80 s offline, 2026-12-03).
        return {"retrieval_intent": "faq", "C": 64.0, "dense_weight": 0.5, "max_iter": 3000,
                "ranking_length": 5, "question_C": 16.0, "solver": "newton-cg"}

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 weights: Any = None, bias: Any = None, keys: List[str] | None = None,
                 responses: Dict[str, Any] | None = None, question_weights: Any = None,
                 question_bias: Any = None, issue_types: Dict[str, str] | None = None) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._weights, self._bias = weights, bias
        self._keys = keys or []
        self._responses = responses or {}
        self._question_weights, self._question_bias = question_weights, question_bias
        self._issue_types = issue_types or {}  # entry key (faq/<id>) -> its trouble topic; absent: other
        self._scorer: LinearScorer | None = None  # built at the first message (the weights may come from train)
        self._question_scorer: LinearScorer | None = None

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "FaqEntrySelector":
        return cls(config, model_storage, resource)

    @property
    def _retrieval_intent(self) -> str:
        return self._config["retrieval_intent"]

    def train(self, training_data: TrainingData) -> Resource:
        from sklearn.linear_model import LogisticRegression

        examples = [m for m in training_data.intent_examples
                    if m.get(TEXT) and m.get(INTENT) == self._retrieval_intent and m.get(INTENT_RESPONSE_KEY)]
        keys = [m.get(INTENT_RESPONSE_KEY) for m in examples]
        others = [m for m in training_data.intent_examples  # as written: no message's register variants either
                  if m.get(TEXT) and m.get(INTENT) and m.get(INTENT) != self._retrieval_intent
                  and not is_register_variant(m)]
        if len(set(keys)) >= 2:
            features = sentence_features(examples, self._config["dense_weight"])
            model = LogisticRegression(C=self._config["C"], max_iter=self._config["max_iter"],
                                       solver=self._config["solver"])
            model.fit(features, keys)
            self._weights, self._bias = model.coef_, model.intercept_
            self._keys = [str(k) for k in model.classes_]
            self._responses = {key: training_data.responses.get(f"utter_{key}", []) for key in self._keys}
            self._issue_types = {str(m.get(INTENT_RESPONSE_KEY)): topic for m in examples
                                 if (topic := faq_issue_type_of(m.get(METADATA)))}
        if examples and others:  # whether a message asks the FAQ at all: as written, no register variants
            asked = [m for m in examples if not is_register_variant(m)]
            features = sentence_features(asked + others, self._config["dense_weight"])
            asks = [1] * len(asked) + [0] * len(others)
            model = LogisticRegression(C=self._config["question_C"], max_iter=self._config["max_iter"],
                                       solver=self._config["solver"], class_weight="balanced").fit(features, asks)
            self._question_weights, self._question_bias = model.coef_, model.intercept_
        self.persist()
        return self._resource

    def persist(self) -> None:
        import json

        import numpy as np

        with self._model_storage.write_to(self._resource) as directory:
            if self._weights is not None:
                question = ({"question_weights": self._question_weights, "question_bias": self._question_bias}
                            if self._question_weights is not None else {})
                np.savez(directory / self.FILE, weights=self._weights, bias=self._bias, keys=np.array(self._keys),
                         responses=np.array(json.dumps(self._responses, ensure_ascii=False)),
                         issue_types=np.array(json.dumps(self._issue_types)), **question)

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "FaqEntrySelector":
        import json

        import numpy as np

        with model_storage.read_from(resource) as directory:
            if not (directory / cls.FILE).exists():
                return cls(config, model_storage, resource)
            stored = np.load(directory / cls.FILE, allow_pickle=False)
            question = ((stored["question_weights"], stored["question_bias"]) if "question_weights" in stored.files
                        else (None, None))
            issue_types = json.loads(str(stored["issue_types"])) if "issue_types" in stored.files else {}
            return cls(config, model_storage, resource, stored["weights"], stored["bias"],
                       [str(key) for key in stored["keys"]], json.loads(str(stored["responses"])), *question,
                       issue_types=issue_types)

    def process(self, messages: List[Message]) -> List[Message]:
        if self._weights is None or not messages:
            return messages
        features = sentence_features(messages, self._config["dense_weight"])
        if self._scorer is None:
            self._scorer = LinearScorer(self._weights, self._bias)
            if self._question_weights is not None:
                self._question_scorer = LinearScorer(self._question_weights, self._question_bias)
        probabilities = self._scorer(features)
        questions = (self._question_scorer(features)[:, 1].tolist()
                     if self._question_scorer is not None else [0.0] * len(messages))
        for message, row, question in zip(messages, probabilities, questions, strict=True):
            ranking = sorted(zip(self._keys, row.tolist(), strict=True), key=lambda pair: -pair[1])
            best, confidence = ranking[0]
            selector = dict(message.get("response_selector") or {})
            selector["all_retrieval_intents"] = [self._retrieval_intent]
            selector[self._retrieval_intent] = {
                "response": {"responses": self._responses.get(best, []), "confidence": confidence,
                             "intent_response_key": best, "utter_action": f"utter_{best}",
                             ISSUE_TYPE_KEY: self._issue_types.get(best, OTHER)},
                "ranking": [{"id": None, "confidence": c, "intent_response_key": k}
                            for k, c in ranking[: self._config["ranking_length"]]],
                "question_confidence": question,
            }
            message.set("response_selector", selector, add_to_output=True)
        return messages


def put_intent_on_top(message: Message, name: str, confidence: float) -> None:
    """A rule's or a second model's decision as the message's intent, the intent classifier's ranking kept below it."""
    chosen = {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: confidence}
    ranking = [i for i in message.get(INTENT_RANKING_KEY) or [] if i.get(INTENT_NAME_KEY) != name]
    message.set(INTENT, chosen, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [chosen, *ranking], add_to_output=True)


# What the intent classifier may have made of a question the FAQ answers and still be overruled: nothing sure, or a
# question it took for one the FAQ does not answer. A greeting, a yes/no, an escalation or a request for
# a person keeps its own way.
FAQ_MAY_OVERRULE = frozenset({"nlu_fallback", "question_not_in_faq"})
# A trouble (or a request about one order) only when the message asks and the issue-type classifier sees
# no trouble in it: 「見積書を出していただけますか」, not 「いつ届くか知りたい」 (delivery_delay, inside a case).
TROUBLE_READINGS = frozenset({*ISSUE_TYPES, "change_address", "ask_order_items"})


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class FaqQuestionDetector(GraphComponent):
    """Makes a question the FAQ selector is sure of the intent ``faq`` where the intent classifier was unsure of it.

    The intent classifier weighs ``faq`` against thirty-odd intents at once;
    the FaqEntrySelector's FAQ-or-not model learned the same examples against
    every other one, a question of its own, and its answer decides here
    (written when DIET read 「送料って全部でいくらかかりますかね」 as ``faq``
    on one machine and as nothing sure on the next). Only where the intent
    classifier placed the message nowhere or took it for a question the FAQ
    does not answer, or where it read a trouble but the message asks and the issue-type
    classifier sees no trouble in it (「見積書を出していただけますか」 read as
    ``other``), or where it read a trouble in a topic typed as search words
    (``bot.text.is_search_words``: 「返品期限」 read as refund_return, 「届け先変更」
    as change_address, while the FAQ-or-not model says FAQ; 「配送遅延」「返金」
    「不良品」 stay troubles, that model reading them as no question at 0.00-0.09).
    A trouble the classifier sees in a message that tells or asks keeps its reading (answering
    「いつ届くか知りたい」 inside a case with the shipping page would be worse
    than going on with the case), and so do greetings, yes/no, escalations
    and requests for a person. A message that gives an order number is about
    that order (verification first), never a general answer. Runs after the
    FallbackClassifier and before the EscalationDetector, so a demand phrased
    as a question still escalates.
    """

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # min_question_confidence: the selector's "this asks the FAQ" needed to overrule the intent classifier.
        return {"retrieval_intent": "faq", "min_question_confidence": 0.5}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._config = {**self.get_default_config(), **config}

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "FaqQuestionDetector":
        return cls(config)

    @staticmethod
    def _asks_without_a_trouble(message: Message) -> bool:
        issue = message.get(ISSUE_TYPE_KEY) or {}
        return is_question(message.get(TEXT) or "") and issue.get("name") == OTHER

    @classmethod
    def _may_overrule_trouble(cls, message: Message) -> bool:
        return cls._asks_without_a_trouble(message) or is_search_words(message.get(TEXT) or "")

    def process(self, messages: List[Message]) -> List[Message]:
        faq = self._config["retrieval_intent"]
        for message in messages:
            text = message.get(TEXT) or ""
            selected = ((message.get("response_selector") or {}).get(faq) or {})
            question = float(selected.get("question_confidence") or 0.0)
            intent = message.get(INTENT) or {}
            name, confidence = intent.get(INTENT_NAME_KEY), float(intent.get(PREDICTED_CONFIDENCE_KEY) or 0.0)
            if question < self._config["min_question_confidence"]:
                continue
            if name == faq:
                if question <= confidence:
                    continue
            elif find_shop_entities(text)["order_number"] or not (
                    name in FAQ_MAY_OVERRULE or (name in TROUBLE_READINGS and self._may_overrule_trouble(message))):
                continue
            put_intent_on_top(message, faq, question)
        return messages


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class QuestionPrefaceDetector(GraphComponent):
    """「すみません、ちょっとお聞きしたいのですが」 alone is ``greet``: the question is still to come.

    The model learned 「こんにちは！ちょっと聞きたいことがあって」 as a greeting and
    「スタッフさんに直接聞きたいです」 as a request for a person; a bare preface
    lies between the two (DIET read it as request_human 0.84 on one training,
    nothing sure on another), and a request for a person hands the
    conversation over. The words decide instead
    (``bot.text.announces_a_question``: a preface and nothing else, so
    「担当者に聞きたい」 or 「送料について聞きたい」 keep the model's reading).
    Runs before the EscalationDetector, whose rules still judge the text.
    """

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "QuestionPrefaceDetector":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            if not announces_a_question(message.get(TEXT) or ""):
                continue
            put_intent_on_top(message, GREET_INTENT, 1.0)
        return messages


GREET_INTENT = "greet"


ESCALATE_INTENT = "escalate"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class EscalationDetector(GraphComponent):
    """Turns a message that people must take into the ``escalate`` intent.

    Runs after the classifiers: ``bot.triage.escalation`` reads the text with
    its rule table plus the model's top intent (``request_human``), and when
    it escalates, ``escalate`` goes on top of the ranking with the model's own
    ranking kept below it. The reason, severity and evidence travel as the
    ``escalation`` key of the parse data for ``action_escalate``, which judges
    amounts again against the verified order's value.
    """

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "EscalationDetector":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        from bot.triage.escalation import REASON_OF_INTENT, detect_escalation

        for message in messages:
            text = message.get(TEXT) or ""
            ranking = [i for i in message.get(INTENT_RANKING_KEY) or [] if i.get(INTENT_NAME_KEY) != ESCALATE_INTENT]
            top = ranking[0] if ranking else (message.get(INTENT) or {})
            escalation = detect_escalation(text, None, top.get(INTENT_NAME_KEY),
                                           float(top.get(PREDICTED_CONFIDENCE_KEY) or 0.0))
            if escalation.escalate:
                chosen = {INTENT_NAME_KEY: ESCALATE_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0}
                message.set(INTENT, chosen, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [chosen, *ranking], add_to_output=True)
                message.set("escalation", {"reason": escalation.reason, "severity": escalation.severity,
                                           "evidence": list(escalation.evidence),
                                           "rules": list(escalation.rules)}, add_to_output=True)
            elif (message.get(INTENT) or {}).get(INTENT_NAME_KEY) in REASON_OF_INTENT:
                # The model leaned towards an escalation the rules and threshold did not confirm:
                # the dialogue goes on with the model's next judgement of what the message is, and
                # when that is a trouble, with the trouble the issue-type classifier read under it.
                rest = [i for i in ranking if i.get(INTENT_NAME_KEY) not in REASON_OF_INTENT]
                issue = message.get(ISSUE_TYPE_KEY) or {}
                if rest and rest[0].get(INTENT_NAME_KEY) in ISSUE_TYPES and issue.get("name"):
                    message.set(INTENT, {INTENT_NAME_KEY: issue["name"],
                                         PREDICTED_CONFIDENCE_KEY: float(issue.get("confidence") or 0.0)},
                                add_to_output=True)
                elif rest:
                    message.set(INTENT, rest[0], add_to_output=True)
        return messages
