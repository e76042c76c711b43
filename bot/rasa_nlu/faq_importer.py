"""Training reads the shop's FAQ file itself: ``data/faq.yml`` becomes the retrieval intent ``faq``.

Listed under ``importers`` in config.yml next to Rasa's own file importer,
so every ``rasa train`` (and ``rasa data validate``) with that config sees
the FAQ, and nothing generated has to be kept in step with the file the
shop edits. Each entry ``<id>`` gives:

- NLU examples ``faq/<id>``: its Japanese and English phrasings, carrying the entry's
  trouble topic (``issue_type``, when it has one) in their metadata for the FaqEntrySelector;
- the response ``utter_faq/<id>`` (its answer), which Rasa's
  ResponsesSyncImporter turns into the retrieval intent's responses;
- with an English answer, the response ``utter_faq_en_<id>``, which
  ``action_answer_faq`` sends when the question was written in English.

Each Japanese phrasing also gives one **register variant**, as customers
type on phones without a Japanese IME or in a hurry: all hiragana with
spaces (「どようび も はっそう して ますか」), half-width katakana
(「ﾄﾞﾖｳﾋﾞﾓ ﾊｯｿｳｼﾃﾏｽｶ?」) or romaji (「doyoubi mo hassou shitemasuka?」), in
turn, spelled from GiNZA's readings (``register_variants``). On writer C's
development split such questions were most of the FAQ questions the
selector ranked right but too unsure to answer, and three of its four
wrong answers. The variants teach only the FaqEntrySelector which entry
such a question asks: they carry ``register_variant`` in their example
metadata, and the intent classifier, the issue-type classifier and the
FAQ-or-not model leave them out (``is_register_variant``), so a trouble
written in kana is not read as a question because FAQ phrasings alone came
in kana.

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
from bot.faq import OTHER, RETRIEVAL_INTENT, FaqEntry, load_faq
from bot.rasa_nlu.register_variants import REGISTER_VARIANT, register_variants
from bot.triage.labels import FAQ_ISSUE_TYPE_METADATA


def faq_training_data(entries: tuple[FaqEntry, ...], nlp=None, other_examples: frozenset[str] = frozenset()
                      ) -> TrainingData:
    """The FAQ's phrasings as ``faq/<id>`` examples, with register variants when ``nlp`` (ja_ginza) is given.

    A variant that is already another intent's example (``other_examples``:
    「ｼﾞｭｳｼｮﾍﾝｺｳｼﾀｲ」 is a ``change_address`` request in data/nlu) is left out:
    one text, one label.
    """
    topics = {entry.id: {FAQ_ISSUE_TYPE_METADATA: entry.issue_type} for entry in entries if entry.issue_type != OTHER}
    examples = [Message.build(text=text, intent=f"{RETRIEVAL_INTENT}/{entry.id}", example_metadata=topics.get(entry.id))
                for entry in entries for text in (*entry.questions, *entry.questions_en)]
    if nlp is not None:
        written = {m.get("text") for m in examples} | set(other_examples)
        japanese = [(entry.id, text) for entry in entries for text in entry.questions]
        for (entry_id, _), (variant, register) in zip(
                japanese, register_variants([text for _, text in japanese], nlp), strict=True):
            if variant and variant not in written:
                written.add(variant)
                examples.append(Message.build(text=variant, intent=f"{RETRIEVAL_INTENT}/{entry_id}",
                                              example_metadata={REGISTER_VARIANT: register,
                                                                **topics.get(entry_id, {})}))
    responses = {entry.response: [{"text": entry.answer}] for entry in entries}
    return TrainingData(training_examples=examples, responses=responses)


def faq_domain(entries: tuple[FaqEntry, ...]) -> Domain:
    """The English answers; the retrieval intent ``faq`` is declared in domain.yml, where the rules read it."""
    return Domain.from_dict({
        "responses": {entry.english_response: [{"text": entry.answer_en}] for entry in entries if entry.answer_en},
    })


class AddedDataImporter(TrainingDataImporter):
    """An importer that adds training data beside Rasa's own: no stories, conversation tests or config of its own,
    an empty domain unless it says otherwise (the FaqImporter's answers, the MessageVariantImporter's variants)."""

    def get_domain(self) -> Domain:
        return Domain.empty()

    def get_stories(self, exclusion_percentage: Optional[int] = None) -> StoryGraph:
        return StoryGraph([])

    def get_conversation_tests(self) -> StoryGraph:
        return StoryGraph([])

    def get_config(self) -> Dict:
        return {}

    def get_config_file_for_auto_config(self) -> Optional[Text]:
        return None


class FaqImporter(AddedDataImporter):
    """The FAQ file as NLU data and domain; stories, rules and config come from Rasa's own importer."""

    def __init__(self, config_file: Optional[Text] = None, domain_path: Optional[Text] = None,
                 training_data_paths: Optional[Union[List[Text], Text]] = None) -> None:
        # The same file the console edits and the model's fingerprint covers (MADOGUCHI_FAQ_FILE).
        self.faq_path = faq_file()
        self._paths = (config_file, domain_path, training_data_paths)
        self._entries: Optional[tuple[FaqEntry, ...]] = None
        self._nlu_data: Optional[TrainingData] = None

    def _other_examples(self) -> frozenset[str]:
        """The texts of the other NLU files of this training (what Rasa's own importer reads)."""
        from rasa.shared.importers.rasa import RasaFileImporter

        return frozenset(m.get("text") for m in RasaFileImporter(*self._paths).get_nlu_data().training_examples
                         if m.get("text"))

    def entries(self) -> tuple[FaqEntry, ...]:
        if self._entries is None:
            self._entries = load_faq(self.faq_path)
        return self._entries

    def get_domain(self) -> Domain:
        return faq_domain(self.entries())

    def get_nlu_data(self, language: Optional[Text] = "en") -> TrainingData:
        from bot.rasa_nlu.components import GinzaNLP

        if self._nlu_data is None:  # Rasa asks more than once; the variants take GiNZA a few seconds
            self._nlu_data = faq_training_data(self.entries(), nlp=GinzaNLP.load_model("ja_ginza").model,
                                               other_examples=self._other_examples())
        return self._nlu_data
