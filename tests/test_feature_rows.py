"""The logistic-regression components' feature rows: built fast, equal to the plain scipy construction.

``sentence_features`` and ``substance_features`` build one CSR matrix per
batch from numpy arrays (10x faster than stacking a small sparse matrix per
message); the trained models' weights were fitted on these rows, so they
must stay what the plain construction below gives, to the last bit that matters.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from sklearn.preprocessing import normalize

from bot.rasa_nlu.components import sentence_features, substance_features
from bot.text import substance_span


def _message(text: str, rng: np.random.Generator, widths=(40, 25), dense_width=6, empty_sentence=False) -> Message:
    message = Message({TEXT: text})
    tokens, position = [], 0
    for word in text.split(" "):
        tokens.append(Token(word, position))
        position += len(word) + 1
    message.set(TOKENS_NAMES[TEXT], tokens)
    for number, width in enumerate(widths):
        sequence = scipy.sparse.random(len(tokens), width, density=0.2, random_state=rng, format="coo")
        sequence.data = np.rint(sequence.data * 3) + 1
        sentence = scipy.sparse.coo_matrix(sequence.sum(axis=0)) if not empty_sentence else \
            scipy.sparse.coo_matrix((1, width))
        origin = "LexicalSyntacticFeaturizer" if number == 1 else f"CountVectorsFeaturizer{number}"
        message.add_features(Features(sequence, "sequence", TEXT, origin))
        message.add_features(Features(sentence, "sentence", TEXT, origin))
    vectors = rng.normal(size=(len(tokens), dense_width))
    message.add_features(Features(vectors, "sequence", TEXT, "SpacyFeaturizer"))
    message.add_features(Features(vectors.mean(axis=0, keepdims=True), "sentence", TEXT, "SpacyFeaturizer"))
    return message


def _plain_sentence_rows(messages, dense_weight):
    rows = []
    for message in messages:
        _, sparse = message.get_sparse_features(TEXT)
        _, dense = message.get_dense_features(TEXT)
        parts = [normalize(scipy.sparse.csr_matrix(sparse.features, dtype=np.float64))]
        parts.append(scipy.sparse.csr_matrix(normalize(np.asarray(dense.features).reshape(1, -1)) * dense_weight))
        rows.append(scipy.sparse.hstack(parts, format="csr"))
    return scipy.sparse.vstack(rows, format="csr")


def _plain_substance_rows(messages, dense_weight, contextual):
    rows = []
    for message in messages:
        tokens = message.get(TOKENS_NAMES[TEXT])
        start, end = substance_span(message.get(TEXT))
        keep = [i for i, token in enumerate(tokens) if token.start >= start and token.end <= end]
        parts = []
        for features in message.features:
            if not features.is_sparse() or features.type != "sequence":
                continue
            matrix = scipy.sparse.csr_matrix(features.features, dtype=np.float64)
            counted = keep[1:-1] if any(name in features.origin for name in contextual) else keep
            parts.append(scipy.sparse.csr_matrix(matrix[counted].sum(axis=0)) if counted
                         else scipy.sparse.csr_matrix((1, matrix.shape[1])))
        dense, _ = message.get_dense_features(TEXT)
        vectors = np.asarray(dense.features, dtype=np.float64)
        mean = vectors[keep].mean(axis=0) if keep else np.zeros(vectors.shape[1])
        rows.append(scipy.sparse.hstack([normalize(scipy.sparse.hstack(parts, format="csr")),
                                         scipy.sparse.csr_matrix(normalize(mean.reshape(1, -1)) * dense_weight)],
                                        format="csr"))
    return scipy.sparse.vstack(rows, format="csr")


TEXTS = ["こんにちは 荷物 が 届き ません よろしく お願いします", "返金 して ください", "こんにちは",
         "注文 番号 は MD26110045 です"]


@pytest.mark.parametrize("empty_sentence", [False, True])
def test_sentence_rows_equal_the_plain_construction(empty_sentence):
    rng = np.random.default_rng(3)
    messages = [_message(text, rng, empty_sentence=empty_sentence) for text in TEXTS]
    fast = sentence_features(messages, 0.5)
    assert fast.shape == (len(TEXTS), 40 + 25 + 6)
    assert np.abs((fast - _plain_sentence_rows(messages, 0.5)).toarray()).max() < 1e-12


def test_substance_rows_equal_the_plain_construction_greetings_left_out():
    rng = np.random.default_rng(5)
    messages = [_message(text, rng) for text in TEXTS]
    contextual = ("LexicalSyntacticFeaturizer",)
    fast, has_substance = substance_features(messages, 0.5, contextual)
    assert has_substance.tolist() == [True, True, False, True]
    assert np.abs((fast - _plain_substance_rows(messages, 0.5, contextual)).toarray()).max() < 1e-12


def test_idf_weighted_rows_equal_weighting_the_raw_counts_and_leave_the_vector_alone():
    """The issue-type classifier weighs n-grams by their rarity (config ``idf``): applied to rows already
    L2-normalised, it must give the row that weighting the summed counts first would have given."""
    from sklearn.feature_extraction.text import TfidfTransformer

    from bot.rasa_nlu.components import idf_weighted, inverse_document_frequencies, sparse_width

    rng = np.random.default_rng(7)
    messages = [_message(text, rng) for text in TEXTS]
    contextual = ("LexicalSyntacticFeaturizer",)
    rows, _ = substance_features(messages, 0.5, contextual)
    width = sparse_width(messages)
    assert width == 40 + 25
    idf = inverse_document_frequencies(rows[:, :width])
    expected_idf = TfidfTransformer(smooth_idf=True).fit(rows[:, :width]).idf_
    assert np.allclose(idf, expected_idf)

    weighted = idf_weighted(rows, idf).toarray()
    plain = _plain_substance_rows(messages, 0.5, contextual).toarray()
    for row, original in zip(weighted, plain, strict=True):
        counts = original[:width] * idf
        norm = np.linalg.norm(counts)
        assert np.allclose(row[:width], counts / norm if norm else counts)
        assert np.allclose(row[width:], original[width:])  # the GiNZA vector is not an n-gram


def test_a_rare_ngram_weighs_no_more_than_one_seen_in_min_df_messages():
    from bot.rasa_nlu.components import inverse_document_frequencies

    counts = scipy.sparse.csr_matrix(np.array([[1, 1, 0], [1, 0, 0], [1, 0, 0], [1, 0, 1]], dtype=float))
    plain = inverse_document_frequencies(counts)
    capped = inverse_document_frequencies(counts, min_df=3)
    assert plain[1] == plain[2] > plain[0]
    assert capped[1] == capped[2] == pytest.approx(np.log(5 / 4) + 1)
    assert capped[0] == plain[0]


def _worded(words: list[str], lemmas: list[str]) -> Message:
    """A message whose spaCy doc has these words (no spaces between, as Japanese) and dictionary forms."""
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

    from rasa.nlu.constants import SPACY_DOCS

    doc = Doc(Vocab(), words=words, spaces=[False] * len(words), lemmas=lemmas)
    return Message({TEXT: doc.text, SPACY_DOCS[TEXT]: doc})


WORDED = [
    (["カード", "から", "落ち", "てる"], ["カード", "から", "落ちる", "てる"]),
    (["サイト", "が", "落ち", "てる"], ["サイト", "が", "落ちる", "てる"]),
    (["こんにちは", "。", "カード", "から", "落ち", "た"], ["こんにちは", "。", "カード", "から", "落ちる", "た"]),
    (["荷物", "が", "届か", "ない"], ["荷物", "が", "届く", "ない"]),
]


def test_word_ngram_rows_equal_sklearns_tfidf_of_the_dictionary_forms_times_their_weight():
    """WordNgrams (the issue-type classifier's word columns) is sklearn's CountVectorizer of uni- and bigrams
    with min_df and TfidfTransformer's smoothed idf and L2 norm, times the weight, built without sklearn's
    vocabulary objects so that the model stores two plain arrays."""
    from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

    from bot.rasa_nlu.components import WordNgrams, dictionary_form_words

    messages = [_worded(*pair) for pair in WORDED]
    words = WordNgrams.fit(messages, weight=0.5, longest=2, min_df=2)

    def grams(message):
        forms = dictionary_form_words(message)
        return [" ".join(forms[i:i + n]) for n in (1, 2) for i in range(len(forms) - n + 1)]

    counts = CountVectorizer(analyzer=grams, min_df=2).fit(messages)
    tfidf = TfidfTransformer(smooth_idf=True).fit(counts.transform(messages))
    expected = tfidf.transform(counts.transform(messages)).toarray() * 0.5
    assert sorted(words.columns) == sorted(counts.vocabulary_)
    order = [words.columns[gram] for gram in sorted(counts.vocabulary_, key=counts.vocabulary_.get)]
    assert np.allclose(words.rows(messages).toarray()[:, order], expected)
    assert "から 落ちる" in words.columns and "サイト 落ちる" not in words.columns  # seen once: below min_df


def test_word_ngrams_leave_out_the_greeting_and_survive_storage():
    import io

    from bot.rasa_nlu.components import WordNgrams, dictionary_form_words

    messages = [_worded(*pair) for pair in WORDED]
    assert dictionary_form_words(messages[2]) == ["カード", "から", "落ちる", "た"]  # こんにちは。 is no word of it
    # The dialogue's intent classifier reads the whole message: greet and thanks are intents of its own.
    assert dictionary_form_words(messages[2], substance_only=False)[:2] == ["こんにちは", "。"]
    whole = WordNgrams.fit(messages, weight=0.5, min_df=1, substance_only=False)
    assert "こんにちは" in whole.columns and "こんにちは" not in WordNgrams.fit(messages, weight=0.5, min_df=1).columns
    words = WordNgrams.fit(messages, weight=0.5)
    stored = io.BytesIO()
    np.savez(stored, **words.arrays())
    stored.seek(0)
    loaded = WordNgrams.from_arrays(np.load(stored, allow_pickle=False))
    assert loaded.weight == 0.5 and loaded.longest == 2 and loaded.substance_only
    assert np.array_equal(loaded.rows(messages).toarray(), words.rows(messages).toarray())
    assert WordNgrams.from_arrays(np.load(io.BytesIO(_empty_npz()), allow_pickle=False)) is None


def _empty_npz() -> bytes:
    import io

    buffer = io.BytesIO()
    np.savez(buffer, idf=np.zeros(0))
    return buffer.getvalue()
