"""Rasa pipeline components for Japanese: normalise first, parse shop entities by rule, escalate by rule."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, List, Text

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
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_VALUE,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.kana import romaji_to_katakana
from bot.text import find_shop_entities, normalise


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
                                           "evidence": list(escalation.evidence)}, add_to_output=True)
            elif (message.get(INTENT) or {}).get(INTENT_NAME_KEY) in REASON_OF_INTENT:
                # The model leaned towards an escalation the rules and threshold did not confirm:
                # the dialogue goes on with its best judgement of what the message is about.
                rest = [i for i in ranking if i.get(INTENT_NAME_KEY) not in REASON_OF_INTENT]
                if rest:
                    message.set(INTENT, rest[0], add_to_output=True)
        return messages
