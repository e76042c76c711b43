"""Two register variants of every customer message of the NLU data, for the IssueTypeClassifier.

Customers write troubles in hiragana, half-width katakana and romaji
(「まぐかっぷのとってとれた」「ﾓﾊﾞｲﾙﾊﾞｯﾃﾘｰ ｼﾞｭｳﾃﾞﾝ ﾃﾞｷﾏｾﾝ」「hokan youki no futa ga haitte nakatta」),
but most training messages are written with kanji: on writers the model never
saw (bench/data/unseen_writers), such messages were a large share of the issue
types it got wrong. Listed under ``importers`` in config.yml, this importer
reads the same NLU files as Rasa's own importer and adds, for each Japanese
example, two variants in two different registers (the registers in turn,
``bot.rasa_nlu.register_variants``) with the example's intent and its issue
type (``issue_type`` metadata, as ``bot.triage.labels.issue_label_of`` reads
it). Offline, on the unseen writers, the variants at half the weight of a
message took issue-type macro-F1 from 0.768 to 0.812 (M) and 0.811 to 0.846 (N).

They teach the IssueTypeClassifier only (``variant_weight`` there): the
intent classifier and the FAQ-or-not model leave every register variant out
(``is_register_variant``), so the dialogue reads messages as before. A
variant that is already a text of the training data (an example, an FAQ
phrasing or the FAQ's own variant) is left out: one text, one label.
"""

from __future__ import annotations

from typing import List, Optional, Text, Union

from rasa.shared.nlu.constants import INTENT, METADATA, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.config import faq_file
from bot.faq import RETRIEVAL_INTENT, is_english, load_faq
from bot.rasa_nlu.faq_importer import AddedDataImporter, faq_training_data
from bot.rasa_nlu.register_variants import REGISTER_VARIANT, register_variant_sets
from bot.triage.labels import ISSUE_TYPE_METADATA, issue_label_of

# Variants per message, each in a different register (of the three).
VARIANTS_PER_MESSAGE = 2


def message_variants(examples: List[Message], nlp, written: frozenset[str] = frozenset()) -> List[Message]:
    """``VARIANTS_PER_MESSAGE`` register variants of each Japanese example (not the FAQ's: it has its own),
    with the example's intent and issue type; none that is in ``written`` or came out twice."""
    sources = [m for m in examples if m.get(TEXT) and m.get(INTENT) and not m.get(INTENT).startswith(RETRIEVAL_INTENT)
               and not is_english(m.get(TEXT))]
    texts = [m.get(TEXT) for m in sources]
    seen = set(written) | set(texts)
    variants = []
    for source, spelled in zip(sources, register_variant_sets(texts, nlp, VARIANTS_PER_MESSAGE), strict=True):
        for variant, register in spelled:
            if not variant or variant in seen:
                continue
            seen.add(variant)
            variants.append(Message.build(
                text=variant, intent=source.get(INTENT),
                example_metadata={REGISTER_VARIANT: register,
                                  ISSUE_TYPE_METADATA: issue_label_of(source.get(INTENT), source.get(METADATA))}))
    return variants


class MessageVariantImporter(AddedDataImporter):
    """The NLU files' messages in other registers; nothing else (stories, domain and config come from Rasa's
    own importer, the FAQ from the FaqImporter)."""

    def __init__(self, config_file: Optional[Text] = None, domain_path: Optional[Text] = None,
                 training_data_paths: Optional[Union[List[Text], Text]] = None) -> None:
        self._paths = (config_file, domain_path, training_data_paths)
        self._nlu_data: Optional[TrainingData] = None

    def get_nlu_data(self, language: Optional[Text] = "en") -> TrainingData:
        from rasa.shared.importers.rasa import RasaFileImporter

        from bot.rasa_nlu.components import GinzaNLP

        if self._nlu_data is None:  # Rasa asks more than once
            nlp = GinzaNLP.load_model("ja_ginza").model
            examples = [m for m in RasaFileImporter(*self._paths).get_nlu_data().intent_examples if m.get(TEXT)]
            faq = faq_training_data(load_faq(faq_file()), nlp=nlp)
            written = frozenset(m.get(TEXT) for m in faq.training_examples if m.get(TEXT))
            self._nlu_data = TrainingData(training_examples=message_variants(examples, nlp, written))
        return self._nlu_data
