"""Guards every escalation rule passes: negation and reported speech.

A rule row matches words (晒す, 慰謝料, 土下座しろ); whether the writer means
them is decided here, once for every row, so that no row needs exceptions of
its own: 「晒すつもりはない」 is negated, 「SNSで晒すと言っている人がいた」 reports
someone else. The sentence and clause helpers are shared with the amount
checks (bot.triage.amounts), which look for the demanded sum in the same
sentence as the demand.
"""

from __future__ import annotations

import re

from bot.text import HUSBAND

# Negation of the matched demand or threat, in the rest of its clause.
_NEGATION = re.compile(
    r"(?:要|い)らない|(?:要|い)りません|いらん|不要|求め(?:ない|てない|ていない|ません|てません|ておりません|る(?:つもり|気))|"
    r"(?:つもり|気)(?:は|も)?(?:ない|ありません|ございません|毛頭|全く|まったく|さらさら|一切)|"
    r"(?:と|とは|なんて|とか|までは|まで)\S{0,3}?(?:言|い)(?:わない|いません|ってない|ってません|うつもり|う気)|"
    r"(?:わけ|訳)(?:じゃ|では|で)も?(?:ない|ありません|ございません)|(?<!冗談)(?<!冗談とか)(?<!脅し)(?<!脅しとか)じゃなくて|じゃないです|ではなく|"
    # 「別に人に代わってほしいとかじゃないんだけど」 (writer AB); 「慰謝料とかじゃないと」 is no denial, and
    # 「殺すぞ脅しとかじゃないからな」 presses the threat (a review the same day)
    r"(?:(?:ほし|欲し|た)い|^)(?:とか|って)(?:わけ)?(?:じゃ|では)(?:ない(?!と)|ありません|なくて)|"
    r"とか(?:じゃ|では)(?:ありません|ないです)(?=[。、!！]|$)|"
    r"(?:しなくて|なくて)(?:いい|良い|大丈夫|結構)|結構です|望んで(?:い)?(?:ない|ません)|"
    r"(?:ほし|欲し)くない|(?:ほし|欲し)い(?:わけ|訳)|(?:請求|要求)(?:は)?(?:しない|しません|いたしません)|"
    r"(?:する|しろ)?(?:気|つもり)はない|なんて(?:思|考)って(?:ない|いません)|ないです(?:よ|が|けど)?$"
)
# A third party said it; the writer only reports it.
_REPORTED_AFTER = re.compile(
    r"(?:と|って|て)(?:言|い)(?:って|われ)(?:い|る|た|ました|ます|て)*\S{0,3}?(?:人|客|お客|方|奴|やつ|ユーザー|投稿|ニュース|記事|動画|の(?:を|が)(?:見|聞))|"
    r"(?:と|って)(?:聞|き)(?:いた|きました|きます|いて)|(?:と|って)(?:書|か)(?:いて|かれて)(?:い|あ)?(?:る|た|ました)\S{0,3}?(?:人|投稿|記事)|"
    r"という(?:話|噂|うわさ|ニュース|記事|投稿|事件|人|客|クレーム|書き込み|口コミ|レビュー|ツイート|の(?:を|が)(?:見|聞))|って(?:話|噂|うわさ)|"
    r"らしい(?:です|けど|ね|よ)?|(?:人|客|方)(?:が|も)(?:い|居)(?:た|る|ました|ます)|みたいな(?:こと|事)(?:を)?(?:言|書)|"
    r"(?:ニュース|記事|テレビ|ネット|ドラマ|漫画|マンガ)で(?:見|読)|(?:話|噂)を(?:聞|き)|"
    r"(?:ニュース|記事|動画|投稿|話|噂|うわさ)を(?:見|読|聞)|"
    r"[」』]\s?(?:って|と)(?:は)?(?:言|い)われ|"  # 兄に「社長に謝罪させろ」って言われた: someone told the writer
    # the writer's own words once, taken back: 前回は「ネットに晒す」なんて言ってしまってすみませんでした
    r"[」』]\s?(?:なんて|とか|と|って)(?:まで)?(?:言|い)って(?:しま|しまい|しまっ)"
)
_REPORTED_BEFORE = re.compile(
    r"(?:友達|友人|知人|知り合い|家族|母|父|姉|兄|妹|弟|" + HUSBAND + r"|妻|旦那|嫁|彼氏|彼女|同僚|他の(?:人|客|お客さん)|誰か|"
    # 娘が「ネットで返品ごねたら倍返ししてもらえた」と言っていましたが (writer G)
    r"娘|息子|先輩|後輩|祖母|祖父|親戚|近所の人|ママ友|職場の人|"
    r"隣の人|ある客|ニュース|記事|テレビ|ドラマ)(?:が|は|から|の話|で|に聞)"
)
# って only as a quote's end (「…取れるって」「…って言って」), not 払って; 申し as 申しておりました, not 申し訳.
_REPORTING_VERB = re.compile(r"言|聞|話し|書い|書か|教え|見|読|らし|そう|って(?:言|い[うっわ]|聞|話|書|[。、!！?？\s]|$)|」|』|"
                             r"申して|申しま|怒|騒")
_CLAUSE_END = re.compile(r"[。!?！？\n]|けど|けれど|が、|、")
SENTENCE_END = re.compile(r"[。!?！？\n]")


def _clause_after(text: str, end: int, limit: int = 25) -> str:
    rest = text[end:end + limit]
    stop = _CLAUSE_END.search(rest)
    return rest[:stop.start()] if stop else rest


def sentence_around(text: str, start: int, end: int) -> tuple[int, int]:
    before = max((m.end() for m in SENTENCE_END.finditer(text, 0, start)), default=0)
    after = SENTENCE_END.search(text, end)
    return before, (after.end() if after else len(text))


# The writer disowning what the sentence just said: 「慰謝料でも請求したい気分ですが、そういうことは言いません」.
# 「慰謝料だとか、そういったものを求めるつもりは一切ありません」 (writer D) too.
# 「慰謝料もらいたいくらいだけど、そういうのはいいから」 (writer S), 「晒すとかそういうのはないけど笑」 (writer I).
_DISOWNED = re.compile(r"(?:そういう|そういった|そんな|そのような)(?:こと|事|の|もの)(?:は|を|まで)?(?:言い|申し|要求し|求め|請求し|し)"
                       r"(?:ません|ない|る(?:つもり|気)(?:は|も)?(?:ない|ありません|ございません|一切|毛頭|全く|まったく))|"
                       r"(?:そういう|そういった|そんな)(?:の|もの|こと)(?:は|も)(?:いい(?:から|ので|です)|いらない|結構|ない(?:けど|です|よ)|ありません)")


def negated(text: str, match: re.Match) -> bool:
    if _NEGATION.search(_clause_after(text, match.end())):
        return True
    return bool(_DISOWNED.search(text, match.end(), sentence_around(text, match.start(), match.end())[1]))


def reported(text: str, match: re.Match) -> bool:
    s_start, s_end = sentence_around(text, match.start(), match.end())
    if _REPORTED_AFTER.search(text, match.end(), s_end):
        return True
    # "家族が…" before the match only reports when the sentence also says who said, heard or wrote it.
    return bool(_REPORTED_BEFORE.search(text, s_start, match.start())
                and _REPORTING_VERB.search(text, match.end(), min(len(text), s_end + 12)))


# Hearsay and denials anywhere in a message, whoever said what.
_HEARSAY_OR_DENIAL = (r"とか言[っわ]|と聞|って聞|らしい|とは言いません|とは思いません|"
                      r"つもりは(?:な|全く|まったく|一切|毛頭|ございません|ありません)")
_GUARD_WORDS = re.compile(r"と言[っわ]|って言|" + _HEARSAY_OR_DENIAL)
# The same without 「…と言われた」: what the writer was told (by the scheme's agent) is the writer's own story.
# 「投稿したら返金してくれるって言ってたのに されない」 (writer G) is a promise made to the writer and broken: theirs too.
# 「TikTokの人 報酬払うって言うから…買った」 (writer AC) is the same: the writer acted on the promise.
_GUARD_WORDS_BUT_TOLD = re.compile(r"と言っ(?!(?:てい?た|ていました)のに)|と言わ(?!れ)|"
                                   r"って言(?!われ|うから|うので|うんで|っ(?:てい?た|ていました)のに)|"
                                   # 「警察だって言うから、言われた通りに」 is someone posing, told of: a guard still
                                   r"(?<!払う)(?<!返す)(?<!くれる)(?<!もらえる)(?<!返金する)って言(?=うから|うので|うんで)|"
                                   + _HEARSAY_OR_DENIAL)


# The writer says the scheme did not reach them: 「私自身は誘われていません」「私は関係ないけど」「私自身はそういったものには
# 一切関わっておりません」 after a friend's or a daughter's story (writers E, H, Q, U, X, Y, Z: their calm messages).
_ME = r"(?:私|わたし|自分|僕|俺|うち)"
_NOT_INVOLVED = re.compile(
    rf"(?:{_ME}|あたし|ぼく)(?:自身)?(?:は|には)\S{{0,14}}?"
    r"(?:関係(?:な(?!いと思|いって思|かった)|(?:あり|ござい)ません)|誘われて(?:い)?(?:ない|ません|おりません)|関わって(?:い|お)?(?:ない|ません|りません))|"
    # 「…って聞いたので、私は普通に公式サイトから買いました」「うちには来てないけど気をつけますね」 (writers AB and AC)
    # (not 「私は普通にネットで買い物してたら…勧誘が来て」 nor 「返金が私にはまだ来てません」: a review the same day)
    rf"{_ME}(?:は|自身は)\S{{0,4}}?普通に(?:公式|こちら|御社|お店|サイト|ネット)(?:サイト)?(?:から|で)"
    r"(?:買い|購入し|注文し)(?:ました|た(?!ら)|ます|てます)|"
    rf"(?<![がのを]){_ME}(?:のところ)?(?:には|に)は?(?:まだ)?(?:来て|きて)(?:い|お)?(?:ない|ません|りません)"
    r"(?:けど|が|ので|から)?\S{0,10}?(?:気を(?:つけ|付け)|注意)")


def not_involved(norm: str) -> bool:
    """The writer tells someone else's brush with the scheme and says it did not reach them."""
    return bool(_NOT_INVOLVED.search(norm))


# The writer says they do not want a person: 「人と話したいわけじゃないので、このままチャットで教えてください」
# (writer G) read as a request for a person at 0.73.
_NO_PERSON_WANTED = re.compile(
    r"(?:人|担当者?|オペレーター|スタッフ|人間)(?:と|に)?(?:話|代わ|かわ)(?:したい|りたい|ってほしい)(?:わけ|訳|とか)(?:じゃ|では)(?:ない|ありません)|"
    r"(?:電話|折り返し)(?:は|も)?(?:不要|いらない|要りません|いりません|結構)|このまま(?:チャット|ここ)で(?:教えて|お願い|大丈夫|結構)|"
    # thanks passed on to the staff member is no request for one: 「担当の方によろしくお伝えください」 (writer AC), unless
    # the message asks to talk too (「よろしく伝えて。あと、やっぱり一度直接話がしたいです」)
    r"^(?![\s\S]*(?:話|電話|代わ|かわって|繋|つない))[\s\S]*(?:担当|スタッフ|皆(?:様|さま|さん))\S{0,6}?(?:に|へ)(?:も)?"
    r"(?:よろしく|お礼を)(?:お)?伝え(?:ください|下さい|て)")


def no_person_wanted(norm: str) -> bool:
    """The writer says no person is needed: the model's request for one is not taken."""
    return bool(_NO_PERSON_WANTED.search(norm))


def guarded_anywhere(norm: str, told_is_own: bool = False) -> bool:
    """Reported speech or a denial somewhere in the message: the model's guess is not enough.

    ``told_is_own``: 「…って言われた」 is not reported speech. For the SNS scheme the victim was told
    (「このクーポン使えって言われた」, 「あとで返すって言われて定期便を申し込んだ」): that is what happened
    to the writer, not someone else's story. For a demand or threat it stays a guard: 「夫に『慰謝料取れ』って
    言われた」 is the husband's word.
    """
    return bool((_GUARD_WORDS_BUT_TOLD if told_is_own else _GUARD_WORDS).search(norm))
