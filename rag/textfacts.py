"""What a sentence of an English or Japanese transcript states, read from its characters.

`rag.answertype` reads a sentence through Kiwi's analysis, which knows Korean: over English it
gives words with no part of speech, over Japanese runs of kana and kanji.  Without this, a question
asking when something happened ("When was the first cable laid?") would find no sentence of an
English transcript stating a time ("in 1858"), and be withheld.  The kinds are those of
`rag.answertype`, and the counters its Korean units, so that "$25,000" answers "얼마" as
"25,000달러" does.
"""

from __future__ import annotations

import re
import unicodedata

from rag.foreign import EN_STOP

# The counter of a calendar year ("2024년", "in 2024"): a time, which answers "몇 년" or "what year"
# but not "how many" or "얼마" (what the GPU cost is not "2024년").
YEAR = "year"

# A four-digit number is a year where it reads as one: after "in", "since", a month… or before
# "年" or an "s" ("the 1990s"), never with a unit ("2000 people", "1800円").
YEARS = re.compile(r"(?:1[89]|20)\d\d")
_YEAR_BEFORE = re.compile(
    r"(?:\b(?:in|since|by|from|until|till|to|before|after|during|of|around|circa|early|late|mid|year|"
    r"January|February|March|April|May|June|July|August|September|October|November|December)"
    r"[\s-]+(?:the\s+)?(?:\d{1,2},?\s+)?|')$",
    re.I,
)
_YEAR_AFTER = re.compile(r"(?:s\b|\s*年|\s*[-/.]\s*\d)")
# Speech-to-text writes most numbers of English talks in words: "twenty-five casks a day".
_ONES = "one|two|three|four|five|six|seven|eight|nine"
_WORD_NUMBER = (
    rf"(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:-(?:{_ONES}))?|{_ONES}|ten|eleven|"
    r"twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|hundred|thousand|dozen|"
    r"half|quarter|a third|a million|a billion"
)
# A number in words runs over its parts: "two thousand six hundred hours" is one amount of hours.
_NUMBER = rf"(?:\$\s?)?\d(?:[\d,.]*\d)?|\b(?:{_WORD_NUMBER})(?:[\s-]+(?:and\s+)?(?:{_WORD_NUMBER}))*\b"
# Number words that are seldom a count of what follows them ("one day", "half the time").
_NOT_COUNTS = frozenset(("one", "half", "quarter", "a third"))
_MONTHS = "January|February|March|April|June|July|August|September|October|November|December"
# A span of time says when only against something ("two years later", "in three weeks", "3年前",
# "四年目"); alone ("for forty years", "4年間修業", "60年炭を焼いて") it says how long, which answers
# no "when".
_EN_SPAN = rf"(?:\d+|{_WORD_NUMBER}) (?:years?|months?|weeks?|days?|hours?|minutes?)\b"
_EN_TIME = re.compile(
    rf"\b(?:{_MONTHS})\b|\bMay \d|\b(?:in|since|until|by|last|next|this) May\b"
    r"|\b(?:yesterday|today|tomorrow|tonight|ago|decades?|centur(?:y|ies))\b"
    r"|\b(?:last|next|this|that|every) (?:year|month|week|spring|summer|autumn|fall|winter)\b"
    rf"|\b(?:in|after|within) (?:about |around |roughly |nearly |almost |just |over )?{_EN_SPAN}"
    rf"|\b{_EN_SPAN} (?:later|after|before|earlier|on|in)\b|\b'\d\d\b",
    re.I,
)
_JA_DIGITS = "[0-9一二三四五六七八九十百千]+"
# Japanese spans of time, longer spellings first (日間 before 日).
_JA_SPANS = ("か月", "カ月", "ヶ月", "ヵ月", "ケ月", "週間", "日間", "時間", "年", "日")
_JA_TIME = re.compile(
    "(?:[0-9]{4}|[一二]?千[〇一二三四五六七八九十百]*|(?:昭和|平成|令和|大正|明治)[元0-9一二三四五六七八九十]+)年"
    f"|{_JA_DIGITS}(?:{'|'.join(_JA_SPANS)})(?:以上|ほど|くらい|ぐらい|近く|あまり)?"
    "(?:前|後|ぶり|目|代|ごろ|頃)"
    f"|{_JA_DIGITS}(?:月|日|時)(?!間)|{_JA_DIGITS}世紀"
    "|昨年|去年|今年|来年|先月|今月|来月|昨日|今日|明日|当時"
)

# A Japanese figure runs on past its 万, 億 or 兆 ("1万5千個", "1億2,000万円", "3万5000人"): one amount.
_SCALE = (
    r"(?:\s*(?:hundred|thousand|million|billion|trillion|k\b|m\b|bn\b|万|億|千|百|兆)|(?<=[万億兆])\d[\d,]*)*"
)
# Longer units first: 日間 before 日.  After kanji numerals, not 分 or 度: 十分 is "enough", 二度と
# "never again".  After a figure, 分 before の is a fraction (3分の1), not minutes.
_KANJI_UNITS = (
    "円|ドル|人|名|歳|回|個|台|割|パーセント|件|軒|か所|カ所|ヶ所|箇所|年|か月|カ月|ヶ月|ヵ月|ケ月|月|日間|日|"
    "時間|秒|週間|種類|キロ|メートル|センチ|ミリ|グラム|トン|リットル|匹|頭|羽|枚|冊|倍|戸"
)
_JA_UNITS = _KANJI_UNITS + "|分(?!の)|度"
_EN_AMOUNT = re.compile(rf"({_NUMBER}){_SCALE}\s*(%|[A-Za-z]+|{_JA_UNITS})?", re.I)
# Japanese writes amounts in kanji numerals too ("三百億円", "三千人"): one counts where a unit
# follows, since a numeral kanji alone is as often part of a word (統一, 一番, 十分); nor "一" alone
# (一人で: alone), nor an ordinal (第三回), nor the scale of a figure ("3万人" is _EN_AMOUNT's).
_KANJI = "〇一二三四五六七八九十百千万億兆"
# The look-behind holds the numerals too: "第二十回" must not match from its 十.
_KANJI_AMOUNT = re.compile(f"(?<![第\\d,.{_KANJI}])([{_KANJI}]+)({_KANJI_UNITS})")
_SCALES = frozenset("万億兆")
# But 一 before a span of time is one: "一年半待ち", "一週間".
_ONE_OF = frozenset(_JA_SPANS)
# An age stated as a bare number: "I started at sixteen", "aged 12", "at the age of 30".
_AGE_BEFORE = re.compile(r"\b(?:at|aged|age of)\s+$", re.I)
# ... but not a time or a manner: "at one point", "at three in the morning", "at eight o'clock".
_NOT_AGE = re.compile(r"\s*(?:point|time|stage|o'?clock|a\.?m\b|p\.?m\b|in the|at night|:|\.\d|sharp)", re.I)
# Half, a share in words: "売り上げの半分くらい".
_JA_HALF = re.compile("半分|半数")
# The Korean unit (rag.answertype's counters) each English or Japanese unit stands for; a
# question's unit words are read with it too (rag.askwords).
UNITS = {
    "dollar": "달러",
    "dollars": "달러",
    "usd": "달러",
    "ドル": "달러",
    "yen": "엔",
    "円": "엔",
    "won": "원",
    "euro": "유로",
    "euros": "유로",
    "pound": "파운드",
    "pounds": "파운드",
    "percent": "%",
    "%": "%",
    "パーセント": "%",
    "割": "%",
    "people": "명",
    "person": "명",
    "persons": "명",
    "workers": "명",
    "employees": "명",
    "users": "명",
    "人": "명",
    "歳": "살",
    # Durations and measures: a figure in one of them is no price, no head count.
    "year": "년",
    "years": "년",
    "年": "년",
    "month": "개월",
    "months": "개월",
    "か月": "개월",
    "カ月": "개월",
    "ヶ月": "개월",
    "ヵ月": "개월",
    "ケ月": "개월",
    "月": "월",
    "week": "주",
    "weeks": "주",
    "週間": "주",
    "day": "일",
    "days": "일",
    "日": "일",
    "日間": "일",
    "hour": "시간",
    "hours": "시간",
    "時間": "시간",
    "minute": "분",
    "minutes": "분",
    "分": "분",
    "seconds": "초",
    "秒": "초",
    "degrees": "도",
    "度": "도",
    "キロ": "킬로",
    "kilos": "킬로",
    "kg": "킬로",
    "kilometres": "킬로",
    "kilometers": "킬로",
    "km": "킬로",
    "metres": "미터",
    "meters": "미터",
    "メートル": "미터",
    "センチ": "센티",
    "ミリ": "밀리",
    "グラム": "그램",
    "grams": "그램",
    "tons": "톤",
    "tonnes": "톤",
    "トン": "톤",
    "リットル": "리터",
    "litres": "리터",
    "liters": "리터",
    "miles": "마일",
    "feet": "피트",
    "inches": "인치",
    "名": "명",
    "匹": "마리",
    "羽": "마리",
    "倍": "배",
    "戸": "가구",
    "頭": "마리",
    "枚": "장",
    "冊": "권",
    "種類": "종류",
    "times": "번",
    "回": "번",
    "個": "개",
    "台": "개",
    "件": "건",
    "軒": "채",
    "か所": "곳",
    "カ所": "곳",
    "ヶ所": "곳",
    "箇所": "곳",
    "units": "개",
}
_WORDS = {
    "reason": re.compile(
        r"\b(?:because|due to|thanks to|so that|in order to|that's why|the reason|therefore|as a result)\b"
        "|(?<![\u4e00-\u9fff\u30a0-\u30ff0-9れ])から|ので|ため|理由|なぜなら|おかげ",
        re.I,
    ),
    "method": re.compile(
        r"\b(?:by \w+ing|through|using|via|by means of|the way|method|approach)\b"
        "|によって|を通じて|を通して|を使って|を使い|方法|やり方|方式",
        re.I,
    ),
    "claim": re.compile(
        r"\b(?:said|says|say|told|tells|claims?|claimed|promised?|predicts?|predicted|argued?|argues|"
        r"warned?|warns|will|would|going to|believes?|believed|thinks?|thought|expects?|expected)\b|\""
        "|と言|と述べ|と話|と語|でしょう|だろう|つもり|と思|予測|約束|主張",
        re.I,
    ),
    "person": re.compile(
        r"\b(?:Mr|Mrs|Ms|Dr|Professor|CEO|President|Minister|Chairman|founder|director|mayor)\b"
        r"|(?<=[a-z,] )[A-Z][a-z]+ [A-Z][a-z]+"
        "|さん|氏|社長|会長|教授|首相|大統領|代表|博士"
    ),
    "place": re.compile(
        r"\b(?:in|at|from|to|near) (?:the )?[A-Z][a-z]+|\b(?:city|country|town|village|state|region|island)\b"
        "|[都道府県市区町村国州島](?![\u4e00-\u9fff])"
    ),
}


def text_facts(sentence: str) -> tuple[frozenset[str], frozenset[str]]:
    """The counters (as rag.answertype names them) and the kinds of answer ``sentence`` states."""
    counters, kinds, _ = read_text(sentence)
    return counters, kinds


def read_text(sentence: str) -> tuple[frozenset[str], frozenset[str], frozenset[tuple[str, str]]]:
    """``text_facts``, and each amount ``sentence`` states with its counter, ("twenty", "년"), as
    Kiwi gives a Korean sentence's (rag.answertype.Facts.amounts)."""
    sentence = unicodedata.normalize("NFKC", sentence)
    counters: set[str] = set()
    amounts: set[tuple[str, str]] = set()
    time = False
    for m in _EN_AMOUNT.finditer(sentence):
        number, unit = m.group(1), (m.group(2) or "").lower()
        # The number with its scale ("3 million"), without its unit or a dollar sign.
        written = sentence[m.start(1) : m.start(2) if m.group(2) else m.end()].strip().lstrip("$").strip()
        if _is_year(sentence, m.start(1), m.end(1)):
            counters.add(YEAR)  # "in 1858": a time, not an amount
            amounts.add((written, YEAR))
            time = True
            continue
        old = unit in ("years", "year") and "old" in sentence[m.end() : m.end() + 5]
        if old:
            counter = "살"  # "34 years old"
        elif unit in UNITS:
            # A figure in a unit read here states that unit only, as Kiwi's counter does in a Korean
            # sentence: "2年" or "4 times" answers no "얼마", and "3 days" no "몇 명".
            counter = UNITS[unit]
        else:
            # A figure, or a number in words before what it counts ("twenty-five casks"), states a
            # count in whatever unit was asked; a number word alone ("one of them") does not.
            counted = unit.isalpha() and unit not in EN_STOP and number.lower() not in _NOT_COUNTS
            counter = "" if number[-1].isdigit() or counted else "-"
            if _AGE_BEFORE.search(sentence[max(0, m.start() - 12) : m.start()]) and not _NOT_AGE.match(
                sentence, m.end(1)
            ):
                counters.add("살")  # "I started at sixteen", "aged 12"
        counters.add(counter)
        # "$3 billion" is an amount in dollars, as "30억 달러" is.
        dollars = number.startswith("$")
        amounts.add((written, "달러" if dollars and counter in ("", "-") else counter))
        if dollars:
            counters.add("달러")
    if _JA_HALF.search(sentence):
        counters.add("%")
    for m in _KANJI_AMOUNT.finditer(sentence):
        if (m.group(1) != "一" or m.group(2) in _ONE_OF) and not set(m.group(1)) <= _SCALES:
            counters.add(UNITS[m.group(2)])
            amounts.add((m.group(1), UNITS[m.group(2)]))
    kinds = {kind for kind, pattern in _WORDS.items() if pattern.search(sentence)}
    if time or _EN_TIME.search(sentence) or _JA_TIME.search(sentence):
        kinds.add("time")
    return frozenset(counters), frozenset(kinds), frozenset(amounts)


def _is_year(sentence: str, start: int, end: int) -> bool:
    """Whether the number at ``sentence[start:end]`` is a calendar year, as its neighbours say."""
    if not YEARS.fullmatch(sentence[start:end]):
        return False
    return bool(_YEAR_BEFORE.search(sentence[max(0, start - 40) : start]) or _YEAR_AFTER.match(sentence, end))
