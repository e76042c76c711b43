"""The pipeline's own components trained without Rasa's training: examples with the features the pipeline
would have put on them (random, as the components only read them), and a component trained on them in a
model storage of its own. Shared by the tests of the register variants and of the FAQ's topics."""

from __future__ import annotations


def training_message(text: str, intent: str, rng, entry: str | None = None, variant: str | None = None):
    """A training example with the features the pipeline would have put on it (random, as the components only
    read them), tagged as the importer tags a register variant."""
    import scipy.sparse
    from rasa.nlu.constants import TOKENS_NAMES
    from rasa.nlu.tokenizers.tokenizer import Token
    from rasa.shared.nlu.constants import INTENT, INTENT_RESPONSE_KEY, METADATA, TEXT
    from rasa.shared.nlu.training_data.features import Features
    from rasa.shared.nlu.training_data.message import Message

    from bot.rasa_nlu.register_variants import REGISTER_VARIANT

    data = {TEXT: text, INTENT: intent}
    if entry:
        data[INTENT_RESPONSE_KEY] = f"{intent}/{entry}"
    if variant:
        data[METADATA] = {"example": {REGISTER_VARIANT: variant}}
    message = Message(data)
    words = text.split(" ")
    message.set(TOKENS_NAMES[TEXT], [Token(w, sum(len(x) + 1 for x in words[:i])) for i, w in enumerate(words)])
    sequence = scipy.sparse.random(len(words), 30, density=0.3, random_state=rng, format="coo")
    message.add_features(Features(sequence, "sequence", TEXT, "CountVectorsFeaturizer"))
    message.add_features(Features(scipy.sparse.coo_matrix(sequence.sum(axis=0)), "sentence", TEXT,
                                  "CountVectorsFeaturizer"))
    vectors = rng.normal(size=(len(words), 4))
    message.add_features(Features(vectors, "sequence", TEXT, "SpacyFeaturizer"))
    message.add_features(Features(vectors.mean(axis=0, keepdims=True), "sentence", TEXT, "SpacyFeaturizer"))
    return message


def trained(component_class, examples, tmp_path, name, **config):
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.nlu.training_data.training_data import TrainingData

    (tmp_path / name).mkdir()
    component = component_class.create({**component_class.get_default_config(), "folds": 2, **config},
                                       LocalModelStorage(tmp_path / name), Resource(name),
                                       ExecutionContext(GraphSchema({}), name))
    component.train(TrainingData(training_examples=examples))
    return component
