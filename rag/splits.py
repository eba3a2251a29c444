"""The named splits of the question sets, and which of them are development data.

A split is written before it is first scored; once scored before and after a change (and read),
it is development data. docs/quality.md says when each was written and what it was spent on.
"""

from __future__ import annotations

# Each split was written before it was first scored (docs/quality.md says when).
SPLITS = (
    "tune",
    "report",
    "holdout",
    "blind",
    "blind2",
    "blind3",
    "blind4",
    "blind5",
    "blind6",
    "blind7",
    "blind8",
    "blind9",
    "blind10",
    "blind11",
    "blind12",
    # eval/videos.jsonl: questions over eval/videos/, the seed beside two more talks.
    "newdev",
    "blind13",
    # eval/ja.jsonl: questions over eval/ja/, the seed beside a Japanese talk.
    "blind14",
    "jadev",
    # eval/ko.jsonl: questions over eval/ko/, the seed beside a Korean interview on webtoons.
    "blind15",
    # eval/ko2.jsonl: questions over eval/ko2/, the seed beside a Korean interview on public baths.
    "blind16",
    # eval/mix.jsonl: questions over eval/mix/, the seed beside an English and a Japanese talk.
    "blind17",
    # eval/mix2.jsonl: questions over eval/mix2/, the seed beside another English and Japanese talk.
    "blind18",
    # eval/mix3.jsonl: questions over eval/mix3/, the seed beside an English talk and a Korean one.
    "blind19",
    # eval/mix4.jsonl: questions over eval/mix4/, the seed beside a Korean lecture and a Korean interview.
    "blind20",
    # eval/mix5.jsonl: questions over eval/mix5/, the seed beside a Japanese lecture and a Korean interview.
    "blind21",
    # eval/mix6.jsonl: questions over eval/mix6/, the seed beside an English talk and a Japanese interview.
    "blind22",
    # eval/mix7.jsonl: questions over eval/mix7/, the seed beside a Korean lecture and an English interview.
    "blind23",
    # eval/mix8.jsonl: questions over eval/mix8/, the seed beside a Japanese interview and a Korean lecture.
    "blind24",
    # eval/mix9.jsonl: questions over eval/mix9/, the seed beside an English lecture and a Korean interview.
    "blind25",
    # eval/mix10.jsonl: questions over eval/mix10/, the seed beside a Japanese lecture and an English interview.
    "blind26",
    # eval/mix11.jsonl: questions over eval/mix11/, the seed beside an English lecture and a Japanese interview.
    "blind27",
    # eval/mix12.jsonl: questions over eval/mix12/, the seed beside an English talk and a Japanese interview.
    "blind28",
    # eval/mix13.jsonl: questions over eval/mix13/, the seed beside a Japanese lecture and an English interview.
    "blind29",
    # eval/mix14.jsonl: questions over eval/mix14/, the seed beside an English lecture and a Japanese interview.
    "blind30",
    # eval/mix15.jsonl: questions over eval/mix15/, the seed beside an English interview and a Japanese lecture.
    "blind31",
    # eval/mix16.jsonl: questions over eval/mix16/, the seed beside a Japanese interview and an English lecture.
    "blind32",
    # eval/mix17.jsonl: questions over eval/mix17/, the seed beside an English talk and a Japanese interview.
    "blind33",
    # eval/mix18.jsonl: questions over eval/mix18/, the seed beside a Japanese interview and an English talk.
    "blind34",
    # eval/mix19.jsonl: questions over eval/mix19/, the seed beside a Korean interview and an English talk.
    "blind35",
    # eval/mix20.jsonl: questions over eval/mix20/, the seed beside a Japanese lecture and an English interview.
    "blind36",
    # eval/mix21.jsonl: questions over eval/mix21/, the seed beside a Korean interview and a Japanese talk.
    "blind37",
    # eval/mix22.jsonl: questions over eval/mix22/, the seed beside an English interview and a Japanese talk.
    "blind38",
    # eval/mix23.jsonl: questions over eval/mix23/, the seed beside a Korean interview and an English talk.
    "blind39",
    # eval/mix24.jsonl: questions over eval/mix24/, the seed beside a Korean interview and a Japanese talk.
    "blind40",
    # eval/mix25.jsonl: questions over eval/mix25/, the seed beside a Korean talk and an English interview.
    "blind41",
    # eval/mix26.jsonl: questions over eval/mix26/, the seed beside a Japanese interview and an English talk.
    "blind42",
    # eval/mix27.jsonl: questions over eval/mix27/, the seed beside a Korean interview and a Japanese lecture.
    "blind43",
    # eval/mix28.jsonl: questions over eval/mix28/, the seed beside an English talk and a Korean interview.
    "blind44",
    # eval/mix29.jsonl: questions over eval/mix29/, the seed beside a Japanese interview and an English lecture.
    "blind45",
    # eval/mix30.jsonl: questions over eval/mix30/, the seed beside a Korean lecture and an English interview.
    "blind46",
    # eval/mix31.jsonl: questions over eval/mix31/, the seed beside a Japanese interview and a Korean lecture.
    "blind47",
    # eval/mix32.jsonl: questions over eval/mix32/, the seed beside a Korean interview and an English talk.
    "blind48",
    # eval/mix33.jsonl: questions over eval/mix33/, the seed beside an English lecture and a Japanese interview.
    "blind49",
    # eval/mix34.jsonl: questions over eval/mix34/, the seed beside a Korean interview and an English interview.
    "blind50",
    # eval/mix35.jsonl: questions over eval/mix35/, the seed beside a Japanese lecture and an English interview.
    "blind51",
    # eval/mix36.jsonl: questions over eval/mix36/, the seed beside a Korean interview and an English lecture.
    "blind52",
    # eval/mix37.jsonl: questions over eval/mix37/, the seed beside a Japanese lecture and an English interview.
    "blind53",
    # eval/mix38.jsonl: questions over eval/mix38/, the seed beside a Korean lecture and a Japanese interview.
    "blind54",
    # eval/mix39.jsonl: questions over eval/mix39/, the seed beside an English lecture and a Korean interview.
    "blind55",
)
# Blind splits written and not yet scored twice: kept out of development until they are spent.
# blind20 and blind21 were spent on the fifth round's answer types, blind22 to blind24 on the eighth
# round's cross-language ranker, blind25 on the ninth round's second encoder, blind26 on the tenth
# round's refit of the ranker, blind27 to blind29 on the eleventh round's kanji readings, English
# numbers in words and the answer span's readings, blind30 and blind31 on the twelfth round's
# glossary, blind32 and blind33 on the thirteenth round's glossary for Japanese questions and the
# answer span's English words, blind34 and blind35 on the fourteenth round's money questions
# (docs/quality.md); blind36, written in the fourteenth round and scored once with its final code,
# had its questions printed by a slip in that round's last review: no longer blind, it is a
# development split.  blind37 was spent on the fifteenth round's units of English and Japanese
# figures, blind38 on its durations, blind39 on its review mends, blind40 on the sixteenth round's
# spans of time, blind41 on that round as a whole, blind42 on the seventeenth round's amounts a
# question states, blind43 on its English titles and initials, blind44 on the eighteenth round's
# title line, blind45 on its calendar years, blind46 on the nineteenth round's short replies and
# native counts, blind48 on its -거든, blind47 on the twentieth round's "when" clauses, years said
# before and 절반, blind50 on that round as a whole; blind49 and blind51 on the twenty-first round's
# consequences, relative years, いくつ and 몇퍼, blind52 on its short years and Japanese figures past
# 万, blind53 on its sizes, blind54 on its money words.  blind55, written at that round's end, was
# scored once with its final code, unread: the next change scores it again after.
UNSPENT: frozenset[str] = frozenset({"blind55"})
# The tuning split and the splits that became development sets once measured and read: all but the
# report split and the unspent ones.
DEV_SPLITS = frozenset(SPLITS) - {"report"} - UNSPENT
