"""How English and Japanese questions ask for each kind of answer (``rag.answertype.KINDS``).

Korean questions are read through Kiwi's analysis instead (question words and the nouns naming a
kind); these two languages are matched on their surface, which their question words make reliable.
"""

import re

from rag.textfacts import UNITS

EN_AGE = re.compile(r"\bhow old\b|\bage\b", re.I)
EN_PERCENT = re.compile(r"\bwhat (?:percentage|percent|share|proportion|fraction)\b|\bhow much of\b", re.I)
EN_QUANTITY = re.compile(
    r"\bhow (?:many|much|long|big|large|far|tall|high|deep|thick|wide)\b|\bwhat (?:is|was|are|were) the (?:price|cost|number|amount|"
    r"size|value|valuation|revenue|population)\b|\bnet worth\b",
    re.I,
)
# "What year" asks for a calendar year (EN_YEAR, read first), not any time.  After another question
# word "when" opens a clause: "Where did they fly to when they lobbied NVIDIA?" asks a place.
EN_TIME = re.compile(
    r"^(?:(?!\b(?:where|who|whom|whose|why|what|which|how)\b).)*?(?:\bwhen\b|\bwhat (?:month|date|day)\b)",
    re.I | re.S,
)
JA_AGE = re.compile("何歳|何才|おいくつ")
JA_PEOPLE = re.compile("何人|人数|従業員数")
JA_PERCENT = re.compile("何割|何パーセント|何％|何%")
JA_QUANTITY = re.compile(
    # 何年に asks which year (JA_YEAR), 何年 how many years.  いくつ asks how many, but いくつも is
    # "many" and 行くつもり "mean to go"; おいくつ asks an age (JA_AGE).
    "いくら|(?<!お)いくつ(?!も)|幾つ|何(?:[個台倍回件万億円ドル]|年(?!に))|どれくらい|どのくらい|どれほど|金額|価格|時価総額|人口"
)
JA_TIME = re.compile("いつ|何月|何日")
# Which year, not when: a calendar year answers, "twenty years later" does not.  (何年 without に
# asks how many years, JA_QUANTITY, and is read before these.)
EN_YEAR = re.compile(r"\b(?:what|which) year\b", re.I)
JA_YEAR = re.compile("何年に")
EN_REASON = re.compile(r"\bwhy\b|\breasons?\b|\bwhat for\b", re.I)
EN_METHOD = re.compile(r"\bhow\b|\bin what way\b|\bby what means\b", re.I)
EN_PERSON = re.compile(r"\bwho\b|\bwhom\b|\bwhose\b", re.I)
EN_PLACE = re.compile(r"\bwhere\b|\bwhich (?:country|city|place|region)\b", re.I)
EN_CLAIM = re.compile(
    r"\b(?:say|said|says|claim|claimed|claims|promise|promised|predict|predicted|argue|argued|"
    r"warn|warned|insist|insisted|tell|told|announce|announced|mean|meant)\b",
    re.I,
)
JA_REASON = re.compile("なぜ|どうして|理由|何のため|なんで")
JA_METHOD = re.compile("どうやって|どのように|どうやったら|方法|どうした")
JA_PERSON = re.compile("誰|だれ|どなた|どの人")
JA_PLACE = re.compile("どこ|どの国|どの都市|どちら")
JA_CLAIM = re.compile("言った|言って|述べ|約束|主張|予測|語っ|と言|発言|強調")

# "How many years", "何年": the counter an English or Japanese question names, read as a
# sentence's unit is (rag.textfacts.UNITS) and grouped with its spellings by rag.units.  A sentence
# of any language then answers only in that unit, or in a unit it cannot read.  何年に and "what
# year" ask for a time (above).
_EN_COUNTERS = {
    **{
        word: UNITS[word]
        for word in (
            "years",
            "months",
            "weeks",
            "days",
            "hours",
            "minutes",
            "tonnes",
            "tons",
            "kilos",
            "metres",
            "meters",
            "feet",
            "miles",
            "degrees",
            "litres",
            "liters",
            "grams",
        )
    },
    "times": "배",  # "how many times more" (배) or "how many times" (번): rag.units groups both
    "kilograms": "킬로",
    **dict.fromkeys(
        (
            "people",
            "persons",
            "workers",
            "employees",
            "staff",
            "visitors",
            "members",
            "apprentices",
            "women",
            "men",
            "students",
            "engineers",
            "customers",
            "volunteers",
        ),
        "명",
    ),
}
EN_COUNTER = re.compile(rf"\bhow many ({'|'.join(_EN_COUNTERS)})\b", re.I)
_JA_COUNTERS = {
    **{
        word: UNITS[word]
        for word in (
            "年",
            "日間",
            "週間",
            "トン",
            "キロ",
            "メートル",
            "センチ",
            "グラム",
            "リットル",
            "か月",
            "ヶ月",
            "ヵ月",
            "カ月",
            "名",
            "時間",
            "分",
            "回",
            "匹",
            "頭",
            "羽",
            "枚",
            "倍",
            "軒",
            "個",
            "台",
        )
    },
    "種類": "개",  # 何種類 asks how many things of any kind, as 몇 개 does
    "週": "주",  # 何週, after 週間
    "日": "일",  # only as _JA_DAYS: 何日 alone asks which day
}
# 何日くらいかかる asks how many days; 何日ですか which day (JA_TIME).
_JA_DAYS = "日(?=くらい|ぐらい|ほど|かか)"
JA_COUNTER = re.compile(f"何({'|'.join(w for w in _JA_COUNTERS if w != '日')}|{_JA_DAYS})(?!に)")


# How long something takes, lasts or is waited for: a duration ("기간"), or for "how long" in
# English a duration or a length ("길이": "how long is his kiln").  Money asked the same way
# ("費用はどのくらいかかる") is read first (rag.money).
_KO_DURATION = re.compile(
    r"얼마(?:나|간|만큼)?\s*(?:동안|오래)|얼마(?:나|만큼)?\s*(?:더\s*)?(?:걸리|걸려|걸렸|걸린|걸릴|기다)"
    r"|기간[은이]?\s*얼마"
)
_JA_DURATION = re.compile("(?:どのくらい|どれくらい|どのぐらい|どれぐらい)(?:の期間|かか|続|待)")
_EN_HOW_LONG = re.compile(r"\bhow long\b", re.I)
# A size, which only a length answers: "관제탑 높이 얼마나 돼", 深さはどのくらい, "how tall".  (길이 and
# 長さ are "how long", a video's too: a duration answers them as well.)
_KO_SIZE = re.compile(
    r"(?:높이|깊이|두께|너비|폭|거리)(?:가|는|도|랑|이랑|하고)?\s*(?:[가-힣]{1,3}\s*)?(?:얼마|몇)"
)
_JA_SIZE = re.compile(
    "(?:高さ|深さ|厚さ|幅|距離)(?:は|って|が|も)?(?:どのくらい|どれくらい|どのぐらい|どれぐらい|どれほど|何)"
)
_EN_SIZE = re.compile(r"\bhow (?:tall|high|deep|thick|wide|far)\b", re.I)


# A number of years, which a calendar year ("2004年の台風") does not state: "몇 년 걸렸어", "몇 년
# 동안", "몇 년째", 何年かかった, 何年間, "how many years".  ("몇 년에" and 何年に ask which year.)
_YEARS_LONG = re.compile(
    r"몇\s*년\s*(?:이나|은|을|쯤|정도|씩)?\s*(?:동안|간|째|걸|했|하셨|일했|배웠|살았|다녔|됐)"
    r"|何年(?:間|も|くらい|ぐらい|ほど)?(?:かか|続|住|やっ|働|修業)|\bhow many years\b",
    re.I,
)


def asks_years_long(question: str) -> bool:
    """Whether ``question`` asks for a number of years, not for which year."""
    return bool(_YEARS_LONG.search(question))


def asks_duration(question: str) -> str | None:
    """ "기간" where ``question`` asks how long something takes, "길이" for English "how long",
    "치수" for a size (a height, a depth, a distance)."""
    if _EN_SIZE.search(question) or _KO_SIZE.search(question) or _JA_SIZE.search(question):
        return "치수"
    if _EN_HOW_LONG.search(question):
        return "길이"
    if _KO_DURATION.search(question) or _JA_DURATION.search(question):
        return "기간"
    return None


def named_counter(question: str) -> str | None:
    """The Korean counter an English or Japanese question's "how many X" or 何X names, if any."""
    if found := EN_COUNTER.search(question):
        return _EN_COUNTERS[found.group(1).lower()]
    if found := JA_COUNTER.search(question):
        return _JA_COUNTERS[found.group(1)]
    return None
