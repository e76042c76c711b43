"""Register variants: a text as phones without a Japanese keyboard type it, spelled from GiNZA's readings.

All hiragana with spaces (「どようび も はっそう して ますか」), half-width
katakana (「ﾄﾞﾖｳﾋﾞﾓ ﾊｯｿｳｼﾃﾏｽｶ?」) or romaji (「doyoubi mo hassou
shitemasuka?」). Two importers add them to training, marked
``register_variant`` in the example's metadata so that each component decides
whether to learn from them (``is_register_variant``):

- ``bot.rasa_nlu.faq_importer``: one variant of each FAQ phrasing, for the
  FaqEntrySelector only;
- ``bot.rasa_nlu.message_variants``: two variants of each customer message of
  the NLU data, for the IssueTypeClassifier only.
"""

from __future__ import annotations

from rasa.shared.nlu.training_data.message import Message

from bot.kana import fold_kana, katakana_to_romaji, to_half_width_katakana, to_katakana

REGISTER_VARIANT = "register_variant"
REGISTERS = ("hiragana", "half_width", "romaji")
# Parts of speech (SudachiPy's tags) that start a new word in a variant; particles get a space before them
# too, except in half-width katakana, which writers run together by phrase (「ｼｭｸｼﾞﾂﾓ ｵﾍﾝｼﾞ ﾓﾗｴﾏｽｶ」).
_CONTENT = ("名詞", "動詞", "形容詞", "副詞", "代名詞", "形状詞", "連体詞", "接頭辞", "感動詞", "接続詞")
_NOT_A_NEW_WORD = ("動詞-非自立可能", "形容詞-非自立可能", "名詞-普通名詞-助数詞可能")
_PARTICLE_WORDS = ("助詞-格助詞", "助詞-係助詞", "助詞-副助詞")
_ROMAJI_PARTICLES = {"ハ": "wa", "ヘ": "e", "ヲ": "o"}
# Each register from a katakana spelling.
_CONVERT = {"hiragana": fold_kana, "half_width": to_half_width_katakana, "romaji": katakana_to_romaji}


def is_register_variant(message: Message) -> bool:
    """A register variant made by one of the importers (see the module's docstring)."""
    return bool(((message.get("metadata") or {}).get("example") or {}).get(REGISTER_VARIANT))


def register_variants(texts: list[str], nlp) -> list[tuple[str, str]]:
    """(variant, register) for each Japanese text, the registers in turn; "" where nothing kana-like came out.

    ``nlp`` is a loaded ja_ginza (``GinzaNLP.load_model``): each word's
    reading, kana words as written, punctuation other than ? and ! dropped.
    """
    return [variants[0] for variants in register_variant_sets(texts, nlp, 1)]


def register_variant_sets(texts: list[str], nlp, count: int) -> list[list[tuple[str, str]]]:
    """``count`` (variant, register) pairs for each text, each in a different register: text number i gets
    ``REGISTERS[(i + k) % 3]`` for k < count, from one reading of the text."""
    from bot.text import normalise

    written = [normalise(text) for text in texts]
    sets = []
    for number, (text, doc) in enumerate(zip(written, nlp.pipe(written), strict=True)):
        registers = [REGISTERS[(number + k) % len(REGISTERS)] for k in range(count)]
        sets.append([(_spelled(doc, register, text), register) for register in registers])
    return sets


def _spelled(doc, register: str, written: str) -> str:
    """The GiNZA-read ``doc`` of ``written`` spelled in ``register``; "" when that changes nothing."""
    words: list[list] = []  # [katakana spelling (letters and digits as written), a particle on its own]
    previous_tag = ""
    for token in doc:
        tag, surface = token.tag_, token.text
        if tag.startswith(("補助記号", "空白")):
            if surface in "?!" and words:
                words[-1][0] += surface
            previous_tag = tag
            continue
        reading = "".join(token.morph.get("Reading"))
        if any(c.isascii() and c.isalnum() for c in surface):
            spelled = surface  # 500円, iPhone: as written
        elif all("\u3041" <= c <= "\u30fc" for c in surface):
            spelled = to_katakana(surface)  # kana as written: 「メッセージ」 stays, a reading's quirks do not
        elif reading and all("\u30a1" <= c <= "\u30fc" for c in reading):
            spelled = reading
        else:
            spelled = surface  # a word without a katakana reading
        particle = tag.startswith(_PARTICLE_WORDS) and register != "half_width"
        after_content = previous_tag.startswith(_CONTENT) and not previous_tag.startswith("接頭辞")
        new_word = particle or (tag.startswith(_CONTENT) and not previous_tag.startswith("接頭辞")
                                and not (tag.startswith(_NOT_A_NEW_WORD) and after_content)
                                and not (tag.startswith("名詞") and previous_tag.startswith("名詞")))
        if new_word or not words or words[-1][1]:
            words.append([spelled, particle])
        else:
            words[-1][0] += spelled
        previous_tag = tag
    spelled_words = [_ROMAJI_PARTICLES[w] if register == "romaji" and alone and w in _ROMAJI_PARTICLES
                     else _CONVERT[register](w) for w, alone in words]
    variant = " ".join(w for w in spelled_words if w)
    return variant if variant != written else ""
