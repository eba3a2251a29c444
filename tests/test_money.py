"""Which questions ask for an amount of money (rag.money), and what that asks of a sentence."""

from __future__ import annotations

import pytest

from rag.answertype import Expectation, expectation, satisfies
from rag.keyword import Analyzer
from rag.money import MONEY_UNITS, asks_money


def money(question: str) -> bool:
    return asks_money(question, Analyzer().morphs(question))


@pytest.mark.parametrize(
    "question",
    [
        # A noun of pay, rent, fees or charges, however Kiwi splits it.
        "지역 협력대로 오면 월급은 얼마씩 준대?",
        "바퀴 장인이 견습 끝나고 정식 직원이 됐을 때 주급은 얼마였어?",
        "공방 건물 월세는 얼마 내고 있대?",
        "올해 서울마라톤 참가비는 얼마예요?",
        "방문객용 작업장 생기면 입장료는 얼마로 한대?",
        "제일 비싼 등급 숯은 15kg 한 상자에 출하가가 얼마야?",
        "태풍 때 가마 천장 무너져서 손해 본 게 얼마라고?",
        "지금까지 제일 비싸게 팔린 바구니는 얼마였대?",
        # Paying, receiving, spending, earning.
        "1940년대 군화는 얼마 주고 샀대?",
        "폴리 아티스트는 하루 일하면 얼마 받아?",
        "가츠오부시 깎기 체험은 한 사람당 얼마 내야 돼?",
        "방 세 개짜리 시골집 지붕 전부 새로 얹으면 얼마 들어?",
        "이사하고 배기 설비 새로 까는 데 얼마 깨졌어?",
        "세신사들은 한 달에 평균 얼마쯤 벌어?",
        "옻나무 주인한테는 한 그루당 얼마 쳐 줘?",
        # Buying and selling at an amount; the price of one.
        "호텔에서 옥상 꿀로 만든 팬케이크는 얼마에 팔아?",
        "2021년에는 블랙매스가 톤당 얼마에 거래됐어?",
        "숯 재료 원목은 톤당 얼마 정도에 사?",
        "아르곤 가스는 한 병에 얼마 정도 해요?",
        "염소 역장 인형은 하나에 얼마야?",
        "자연산 전복은 요즘 키로에 얼마나 받아?",
        "나무로 새로 짓는 내로보트는 대충 얼마 해?",
        "How much does he charge to ship a sign overseas?",
        "Roughly how much does a single H100 go for?",
        "How many pounds did the bell cost to recast?",
        # Prices and tickets, in the plural too: "how high did prices go" asks no length.
        "how much is a car ticket on the ferry",
        "How high did prices go after the flood?",
        "職人さんの給料はいくらぐらいですか？",
        "工房の家賃は月にどれくらい？",
    ],
)
def test_a_question_asking_a_price_pay_or_charge_asks_for_money(question: str) -> None:
    assert money(question)


@pytest.mark.parametrize(
    "question",
    [
        "작년에 꿀을 전부 합쳐서 얼마나 땄대?",
        "원목 6톤 넣으면 숯은 얼마나 나와?",
        "돌담 1미터 쌓으려면 돌이 얼마나 필요해?",
        # The adverb with a verb of giving or receiving asks how much of a thing.
        "화분에 물은 얼마나 줘?",
        "주문을 하루에 얼마나 받아?",
        # Work per day, not a price per unit.
        "하루에 얼마나 해?",
        "티끌 고르는 작업은 원료 1킬로에 혼자 하면 얼마나 걸려?",
        "경산성이 엔비디아 본사에 처음 간 다음 얼마 만에 다시 찾아갔어?",
        "How many strakes does a yoal have?",
    ],
)
def test_an_amount_of_something_else_is_not_money(question: str) -> None:
    assert not money(question)


def test_a_money_question_is_answered_by_a_currency_not_a_count_of_things() -> None:
    asked = expectation(
        "숯 재료 원목은 톤당 얼마 정도에 사?", Analyzer().morphs("숯 재료 원목은 톤당 얼마 정도에 사?")
    )
    assert asked == Expectation("quantity", MONEY_UNITS)
    assert satisfies(asked, Analyzer().morphs("원목은 1톤에 1만 원 정도에 삽니다."))
    assert not satisfies(asked, Analyzer().morphs("한 번에 원목을 6톤 넣습니다."))
