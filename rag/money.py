"""Whether a question asks for an amount of money (rag.answertype), and the units that state one.

"얼마" alone asks for any amount: "꿀을 얼마나 땄대?" is answered by "1トン400キロ". What turns
it into a price is either a noun of money ("입장료는 얼마야", "월급은 얼마씩 준대") or the verb it
goes with: one pays, receives, spends or earns an amount ("얼마 주고 샀대", "얼마 받아", "얼마를
냈대", "얼마 들었어", "얼마쯤 벌어"), buys or sells at one ("얼마에 팔아"), and a thing costs one
a unit ("한 병에 얼마 정도 해요").  A money question is answered by a currency, a share or a bare
figure; a count of things ("6톤", "300마리") restates the question's subject instead, and where no
top passage states money at all, the question is flagged (rag.answertype's decisive kinds).

The paying verbs need the noun form 얼마, not the adverb 얼마나, unless a unit is priced ("키로에
얼마나 받아"): "물은 얼마나 줘" and "주문을 얼마나 받아" ask how much water and how many orders,
while "얼마나 벌어" still asks for money.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

# A currency, a share ("최대 절반까지", "80%") or a bare numeral word; not a date or a count of
# things ("2월 3일", "5대 5").
MONEY_UNITS = frozenset({"달러", "엔", "원", "위안", "유로", "파운드", "센트", "퍼센트", "프로", "%", "-"})
# Nouns of money Kiwi reads as one word, checked on its reading: 임금 is also a king, 투자 and
# 지원 are amounts only beside 얼마.  (사용료, 요금 and 시가총액 are found in the text, below.)
_KO_MONEY = frozenset(
    {"가격", "비용", "돈", "금액", "매출", "투자", "투자금", "손실", "이익", "순이익", "수익", "가치", "값"}
    | {"예산", "연봉", "자금", "현금", "보조금", "지원", "지원금", "인수"}
    | {"임금", "일당", "단가", "원가", "상금", "시세", "몸값", "대금", "액수", "적자", "흑자", "부채", "빚"}
)
# Pay, rent, fees and charges, found in the question's text: Kiwi splits some of them where the
# talk is unusual ("주급" into 주 and 급, "참가비" into 참가 and 비).
_KO_MONEY_TEXT = re.compile(
    "월급|주급|시급|급여|봉급|수당|월세|집세|임대료|입장료|수강료|수업료|관람료|이용료|사용료|참가비|"
    "등록금|학비|요금|공사비|제작비|재료비|인건비|설치비|수리비|운영비|유지비|생활비|가스비|전기료|"
    "전기세|수수료|보상금|자본금|계약금|보증금|벌금|총액|수출액|매출액|거래액|손해"
)
# A price Kiwi splits into a noun and the suffix 가: 출하가, 공모가, 판매가.
_PRICED = frozenset({"출하", "공모", "판매", "소매", "도매", "분양", "출고", "낙찰"})
# After 얼마: paying, receiving, spending, earning ("얼마 쳐 줘": how much one is paid); 벌 after
# 얼마나 too.
_PAYING = frozenset({"주", "받", "내", "들", "깨지", "치"})
_EARNING = frozenset({"벌"})
# After 얼마에: buying and selling.
_TRADING = frozenset({"팔", "사", "팔리", "넘기", "사들이", "구입", "판매", "거래", "구매"})
# "하루에 얼마나 해" asks how much work, not a price.
_PER_TIME = frozenset({"하루", "날", "달", "해", "년", "주", "시간", "일", "번", "동안", "한번"})
# Between 얼마 and its verb: particles, 씩, 정도, 쯤, 더.
_BETWEEN = frozenset({"JKO", "JKS", "JX", "JKB", "XSN", "MAG"})

_EN_MONEY = re.compile(
    r"\b(?:cost|costs|price|prices|priced|tickets?|pay|paid|spend|spent|invest|invested|investment|revenue|worth|"
    r"valuation|valued|budget|subsid\w*|fund|funding|loss|losses|profit|cash|money|sales|salary|fee|"
    r"earn|earned|market cap|fees|fare|fares|rent|wages?|charges?|charged|income|earnings|tuition|"
    r"pounds|dollars|euros|yen|(?:sell|sells|sold|buy|buys|bought|go|goes|went)\s+for)\b",
    re.I,
)
_JA_MONEY = re.compile(
    "いくら|金額|価格|値段|費用|売上|時価総額|投資|予算|利益|損失|収益|コスト|資金|補助|円|ドル"
    "|給料|月給|時給|日当|家賃|料金|代金|賃金|入場料|受講料|参加費|工事費|人件費|単価|原価|相場|売値"
)


def asks_money(question: str, morphs: Sequence[Any]) -> bool:
    """Whether ``question`` (``morphs``: its Kiwi analysis) asks for an amount of money."""
    if _EN_MONEY.search(question) or _JA_MONEY.search(question) or _KO_MONEY_TEXT.search(question):
        return True
    for i, m in enumerate(morphs):
        if (m.form in _KO_MONEY and m.tag.startswith("NN")) or (m.form == "비싸" and m.tag == "VA"):
            return True
        if m.tag == "XSN" and m.form == "가" and i and morphs[i - 1].form in _PRICED:
            return True
        if m.form in ("얼마", "얼마나") and _paid(morphs, i):
            return True
    return False


def _paid(morphs: Sequence[Any], i: int) -> bool:
    """Whether the verb that 얼마 at ``i`` goes with pays, earns, trades or prices."""
    noun = morphs[i].form == "얼마"
    # "톤당 얼마" asks a rate per unit, which in speech is a price; "한 병에 얼마 (정도) 해요",
    # "하나에 얼마야" the price of one (not "하루에 얼마나 해": work per day).
    j = i - 1
    while j >= 0 and morphs[j].tag == "MAG":
        j -= 1
    if j >= 0 and morphs[j].tag == "XSN" and morphs[j].form == "당":
        return True
    each = j >= 1 and morphs[j].form == "에" and morphs[j - 1].form not in _PER_TIME
    at = False  # 얼마에
    for m in morphs[i + 1 :]:
        if m.tag.startswith("VV") or m.tag == "VCP":
            if m.form in _EARNING or ((noun or each) and m.form in _PAYING):
                return True
            if m.form in _TRADING:
                return at or each
            return m.form in ("하", "이") and (each or (noun and m.form == "하"))
        if m.tag == "NNG" and m.form in _TRADING:
            return at or each  # 얼마에 구입했나, 얼마에 거래됐어
        if m.tag in _BETWEEN or m.form in ("정도", "쯤"):
            at = at or (m.tag == "JKB" and m.form == "에")
            continue
        return False
    return False
