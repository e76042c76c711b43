"""Rasa pipeline components for Japanese: normalise first, parse shop entities by rule."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_VALUE,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

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
