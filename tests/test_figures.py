from __future__ import annotations

import pytest

from rag.figures import figure
from rag.textfacts import read_text


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("20", "20"),
        ("10,000", "10000"),
        ("3.5", "3.5"),
        ("2만", "20000"),
        ("만", "10000"),
        ("1,041억", "104100000000"),
        ("스무", "20"),
        ("twenty-five", "25"),
        ("ten thousand", "10000"),
        ("two hundred and fifty", "250"),
        ("3 million", "3000000"),
        ("二十", "20"),
        ("一万", "10000"),
        ("二千三百万", "23000000"),
        ("1万", "10000"),
        # Kiwi joins "한 450킬로그램" (about 450 kilograms) into one run of number words.
        ("한450", "450"),
        ("한일", "1"),
    ],
)
def test_one_value_however_a_number_is_written(written: str, value: str) -> None:
    assert figure(written) == value


# A numeral word before a figure is no sum: "두 450" is no 452.
@pytest.mark.parametrize("written", ["H100", "반", "and", "a", "2.5배", "GPT", "두450"])
def test_what_is_no_number_has_no_value(written: str) -> None:
    assert figure(written) is None


def test_an_english_or_japanese_sentence_states_its_amounts() -> None:
    assert read_text("In twenty years it cost $25,000 and 3 million yen.")[2] == {
        ("twenty", "년"),
        ("25,000", "달러"),
        ("3 million", "엔"),
    }
    assert read_text("二十年後には一万倍になり、1858年に始まった。")[2] == {
        ("二十", "년"),
        ("一万", "배"),
        ("1858", "year"),
    }
