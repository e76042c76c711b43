"""Training reads the shop's FAQ file itself: ``data/faq.yml`` becomes the retrieval intent ``faq``.

Listed under ``importers`` in config.yml next to Rasa's own file importer,
so every ``rasa train`` (and ``rasa data validate``) with that config sees
the FAQ, and nothing generated has to be kept in step with the file the
shop edits. Each entry ``<id>`` gives:

- NLU examples ``faq/<id>``: its Japanese and English phrasings;
- the response ``utter_faq/<id>`` (its answer), which Rasa's
  ResponsesSyncImporter turns into the retrieval intent's responses;
- with an English answer, the response ``utter_faq_en_<id>``, which
  ``action_answer_faq`` sends when the question was written in English.

The answers travel inside the trained model (its domain), so an edited
answer reaches customers with the next training, together with its
phrasings: what the model retrieves and what it says never disagree.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Text, Union

from rasa.shared.core.domain import Domain
from rasa.shared.core.training_data.structures import StoryGraph
from rasa.shared.importers.importer import TrainingDataImporter
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.config import faq_file
from bot.faq import RETRIEVAL_INTENT, FaqEntry, load_faq


def faq_training_data(entries: tuple[FaqEntry, ...]) -> TrainingData:
    examples = [Message.build(text=text, intent=f"{RETRIEVAL_INTENT}/{entry.id}")
                for entry in entries for text in (*entry.questions, *entry.questions_en)]
    responses = {entry.response: [{"text": entry.answer}] for entry in entries}
    return TrainingData(training_examples=examples, responses=responses)


def faq_domain(entries: tuple[FaqEntry, ...]) -> Domain:
    """The English answers; the retrieval intent ``faq`` is declared in domain.yml, where the rules read it."""
    return Domain.from_dict({
        "responses": {entry.english_response: [{"text": entry.answer_en}] for entry in entries if entry.answer_en},
    })


class FaqImporter(TrainingDataImporter):
    """The FAQ file as NLU data and domain; stories, rules and config come from Rasa's own importer."""

    def __init__(self, config_file: Optional[Text] = None, domain_path: Optional[Text] = None,
                 training_data_paths: Optional[Union[List[Text], Text]] = None) -> None:
        # The same file the console edits and the model's fingerprint covers (MADOGUCHI_FAQ_FILE).
        self.faq_path = faq_file()
        self._entries: Optional[tuple[FaqEntry, ...]] = None

    def entries(self) -> tuple[FaqEntry, ...]:
        if self._entries is None:
            self._entries = load_faq(self.faq_path)
        return self._entries

    def get_domain(self) -> Domain:
        return faq_domain(self.entries())

    def get_stories(self, exclusion_percentage: Optional[int] = None) -> StoryGraph:
        return StoryGraph([])

    def get_conversation_tests(self) -> StoryGraph:
        return StoryGraph([])

    def get_config(self) -> Dict:
        return {}

    def get_config_file_for_auto_config(self) -> Optional[Text]:
        return None

    def get_nlu_data(self, language: Optional[Text] = "en") -> TrainingData:
        return faq_training_data(self.entries())
