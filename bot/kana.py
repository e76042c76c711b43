"""Kana helpers: romaji to katakana, and katakana folded to hiragana.

Customers on phones without a Japanese keyboard write romaji. Transliterating
it to the same katakana reading that GiNZA gives Japanese words lets the
model treat 「返金まだですか」, 「ﾍﾝｷﾝまだですか」 and "henkin mada desu ka"
alike. Words that are not clean romaji (iPhone, Wi-Fi) come back as None.
"""

from __future__ import annotations

_SYLLABLES = {
    "kya": "キャ", "kyu": "キュ", "kyo": "キョ", "sha": "シャ", "shu": "シュ", "sho": "ショ", "she": "シェ",
    "cha": "チャ", "chu": "チュ", "cho": "チョ", "che": "チェ", "nya": "ニャ", "nyu": "ニュ", "nyo": "ニョ",
    "hya": "ヒャ", "hyu": "ヒュ", "hyo": "ヒョ", "mya": "ミャ", "myu": "ミュ", "myo": "ミョ",
    "rya": "リャ", "ryu": "リュ", "ryo": "リョ", "gya": "ギャ", "gyu": "ギュ", "gyo": "ギョ",
    "bya": "ビャ", "byu": "ビュ", "byo": "ビョ", "pya": "ピャ", "pyu": "ピュ", "pyo": "ピョ",
    "sya": "シャ", "syu": "シュ", "syo": "ショ", "tya": "チャ", "tyu": "チュ", "tyo": "チョ",
    "ja": "ジャ", "ju": "ジュ", "jo": "ジョ", "je": "ジェ", "zya": "ジャ", "zyu": "ジュ", "zyo": "ジョ",
    "shi": "シ", "chi": "チ", "tsu": "ツ", "ji": "ジ", "fu": "フ", "si": "シ", "ti": "チ", "tu": "ツ",
    "hu": "フ", "zi": "ジ", "di": "ヂ", "du": "ヅ", "wo": "ヲ", "wa": "ワ",
    "ka": "カ", "ki": "キ", "ku": "ク", "ke": "ケ", "ko": "コ", "sa": "サ", "su": "ス", "se": "セ", "so": "ソ",
    "ta": "タ", "te": "テ", "to": "ト", "na": "ナ", "ni": "ニ", "nu": "ヌ", "ne": "ネ", "no": "ノ",
    "ha": "ハ", "hi": "ヒ", "he": "ヘ", "ho": "ホ", "ma": "マ", "mi": "ミ", "mu": "ム", "me": "メ", "mo": "モ",
    "ya": "ヤ", "yu": "ユ", "yo": "ヨ", "ra": "ラ", "ri": "リ", "ru": "ル", "re": "レ", "ro": "ロ",
    "ga": "ガ", "gi": "ギ", "gu": "グ", "ge": "ゲ", "go": "ゴ", "za": "ザ", "zu": "ズ", "ze": "ゼ", "zo": "ゾ",
    "da": "ダ", "de": "デ", "do": "ド", "ba": "バ", "bi": "ビ", "bu": "ブ", "be": "ベ", "bo": "ボ",
    "pa": "パ", "pi": "ピ", "pu": "プ", "pe": "ペ", "po": "ポ", "fa": "ファ", "fi": "フィ", "fe": "フェ",
    "fo": "フォ", "a": "ア", "i": "イ", "u": "ウ", "e": "エ", "o": "オ",
}
_LONGEST = max(len(k) for k in _SYLLABLES)


def romaji_to_katakana(word: str) -> str | None:
    """Transliterate one romaji word; None when it is not romaji."""
    word = word.lower()
    if not word.isascii() or not word.isalpha():
        return None
    out = []
    i = 0
    while i < len(word):
        ch = word[i]
        nxt = word[i + 1] if i + 1 < len(word) else ""
        if ch == "n" and (not nxt or nxt not in "aiueoy"):
            out.append("ン")
            i += 1 + (nxt == "'")
            continue
        if ch == nxt and ch not in "aiueon":
            out.append("ッ")
            i += 1
            continue
        for size in range(min(_LONGEST, len(word) - i), 0, -1):
            kana = _SYLLABLES.get(word[i:i + size])
            if kana:
                out.append(kana)
                i += size
                break
        else:
            return None
    return "".join(out)


_KATAKANA_TO_HIRAGANA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}


def fold_kana(text: str) -> str:
    """Katakana to hiragana, character for character (spans stay valid): タントウシャ → たんとうしゃ.

    The one kana folding of the project: escalation rules written in hiragana,
    the console's search and the privacy guard's name matching all read it.
    """
    return text.translate(_KATAKANA_TO_HIRAGANA)


_HIRAGANA_TO_KATAKANA = {hiragana: katakana for katakana, hiragana in _KATAKANA_TO_HIRAGANA.items()}


def to_katakana(text: str) -> str:
    """Hiragana to katakana, character for character, the inverse of ``fold_kana``: ちゅうもん → チュウモン."""
    return text.translate(_HIRAGANA_TO_KATAKANA)


def _half_width_table() -> dict[str, str]:
    import unicodedata

    table = {}
    for code in range(0xFF61, 0xFFA0):
        half = chr(code)
        table.setdefault(unicodedata.normalize("NFKC", half), half)
    for code in range(0x30A1, 0x30FB):  # voiced and semi-voiced kana: the base's half-width form and its mark
        full = chr(code)
        if full in table:
            continue
        decomposed = unicodedata.normalize("NFD", full)
        if len(decomposed) == 2 and decomposed[0] in table:
            table[full] = table[decomposed[0]] + {"\u3099": "\uff9e", "\u309a": "\uff9f"}.get(decomposed[1], "")
    return table


_HALF_WIDTH = _half_width_table()


def to_half_width_katakana(katakana: str) -> str:
    """Full-width katakana as a phone's half-width keyboard writes it: ヘンピン → ﾍﾝﾋﾟﾝ (other characters kept)."""
    return "".join(_HALF_WIDTH.get(ch, ch) for ch in katakana)


# Katakana to romaji: the first spelling _SYLLABLES lists for each kana is the Hepburn one (shi, chi, tsu, fu, ja).
_ROMAJI = {kana: romaji for romaji, kana in reversed(_SYLLABLES.items())}
_ROMAJI.update({"ン": "n", "ヲ": "o", "ヂ": "ji", "ヅ": "zu", "ヴ": "vu", "ァ": "a", "ィ": "i", "ゥ": "u", "ェ": "e",
                "ォ": "o", "ャ": "ya", "ュ": "yu", "ョ": "yo", "ヮ": "wa", "ヰ": "i", "ヱ": "e",
                "ティ": "ti", "ディ": "di", "ウィ": "wi", "ウェ": "we", "ウォ": "wo", "ヴァ": "va", "トゥ": "tu"})


def katakana_to_romaji(katakana: str) -> str:
    """Katakana as customers type romaji: ハッソウ → hassou, チューモン → chuumon (the long mark repeats the vowel).

    Characters that are not katakana are kept. The inverse of
    ``romaji_to_katakana`` for the spellings it reads.
    """
    out: list[str] = []
    double_next = False
    i = 0
    while i < len(katakana):
        pair, ch = katakana[i:i + 2], katakana[i]
        if ch == "ッ":
            double_next = True
            i += 1
            continue
        if ch == "ー":
            vowel = next((c for c in reversed("".join(out)) if c in "aiueo"), "")
            out.append(vowel)
            i += 1
            continue
        romaji = _ROMAJI.get(pair) if len(pair) == 2 else None
        size = 2 if romaji else 1
        romaji = romaji or _ROMAJI.get(ch, ch)
        if double_next and romaji[:1].isalpha() and romaji[0] not in "aiueon":
            romaji = ("t" if romaji.startswith("ch") else romaji[0]) + romaji
        double_next = False
        out.append(romaji)
        i += size
    return "".join(out)
