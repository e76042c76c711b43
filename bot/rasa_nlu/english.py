"""English messages the FAQ cannot answer in English go to the plain "support is in Japanese" note.

The model is trained on Japanese, with English phrasings only for the FAQ
entries that have an English answer. An English complaint would otherwise
land in a Japanese trouble flow the customer may not be able to read. This
component runs last: a message written in English (``bot.faq.is_english``)
that the model did not read as an FAQ question, a greeting, thanks or a
request for a person becomes ``question_not_in_faq``, whose action answers
with the bilingual note and a button to a person.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.faq import QUESTION_NOT_IN_FAQ, RETRIEVAL_INTENT, is_english

# What an English message may stay: answered in English, or a person takes it anyway.
KEPT_INTENTS = frozenset({RETRIEVAL_INTENT, "escalate", "request_human", "greet", "goodbye", "thanks",
                          "faq_solved", "faq_not_solved"})


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class EnglishMessageDetector(GraphComponent):
    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "EnglishMessageDetector":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
            if intent in KEPT_INTENTS or not is_english(message.get(TEXT) or ""):
                continue
            message.set(INTENT, {INTENT_NAME_KEY: QUESTION_NOT_IN_FAQ, PREDICTED_CONFIDENCE_KEY: 1.0},
                        add_to_output=True)
        return messages
