from rag.foreign import script
from rag.fusion import rrf, weighted
from rag.keyword import Analyzer, KeywordIndex, jamo


def test_analyzer_keeps_content_morphemes() -> None:
    tokens = Analyzer().tokens("H100은 25,000달러에서 30,000달러 정도 하는데, 손정희 회장이 말했다.")
    assert tokens[:6] == ["h", "100", "25000", "달러", "30000", "달러"]
    assert "손정희" in tokens and "회장" in tokens
    assert "은" not in tokens and "," not in tokens


def test_jamo_decomposes_hangul_only() -> None:
    assert jamo("의") != jamo("희") and len(jamo("손정의")) == 9
    assert jamo("AI") == "AI"


def test_misheard_name_is_matched_one_jamo_away() -> None:
    a = Analyzer()
    docs = [
        "손정희 회장이 2023년 프레젠테이션에서",
        "엔비디아 H100은 25,000달러",
        "일본 정부가 1,041억 엔을 지원",
    ]
    index = KeywordIndex.build([a.tokens(d) for d in docs])
    query = a.tokens("손정의 회장")
    assert index.expand(query) == ["손정의", "회장", "손정희"]
    assert index.search(query, 5) == [(0, index.search(query, 5)[0][1])]
    assert index.search(a.tokens("H100 가격 25000달러"), 5)[0][0] == 1
    assert index.search(a.tokens("일본 정부 지원"), 5, lo=0, hi=2) == []
    assert index.search(a.tokens("완전히 무관한 질문"), 5) == []


def test_short_words_are_not_fuzzed() -> None:
    a = Analyzer()
    index = KeywordIndex.build([a.tokens("정의와 정희")])
    assert index.expand(["정의"]) == ["정의"]


def test_reciprocal_rank_fusion() -> None:
    dense = [(1, 0.9), (2, 0.8), (3, 0.7)]
    keyword = [(3, 9.0), (1, 5.0)]
    fused = rrf([dense, keyword], 60)
    assert [row for row, _ in fused] == [1, 3, 2]
    assert fused[0][1] == 1 / 61 + 1 / 62


def test_weighted_fusion_normalizes_each_side() -> None:
    fused = dict(weighted([(1, 0.9), (2, 0.5)], [(2, 10.0), (3, 2.0)], 0.5))
    assert fused == {1: 0.5, 2: 0.5, 3: 0.0}


def test_english_words_stay_whole_and_lose_function_words() -> None:
    # Left alone, Kiwi cuts the last word of an English sentence in two with its full stop.
    tokens = Analyzer().tokens("The first cable was laid in 1858 between Ireland and Newfoundland.")
    assert tokens == ["first", "cable", "laid", "1858", "between", "ireland", "newfoundland"]
    assert Analyzer().tokens("Bees visit cities; GPUs and CEOs, bus status.") == [
        "bee",
        "visit",
        "city",
        "gpu",
        "ceo",
        "bus",
        "status",
    ]


def test_acronyms_model_names_and_addresses_keep_their_korean_reading() -> None:
    a = Analyzer()
    # "IT" is a word and the "A" of A100 a model's letter, not English function words.
    assert a.tokens("일본 IT 혁명과 엔비디아 A100") == ["일본", "it", "혁명", "엔비디아", "a", "100"]
    # Latin letters written onto Hangul stay Kiwi's reading (whole here, parted in the second
    # sentence); a web address stays out.
    assert a.tokens("소프트뱅크와 오픈AI가 함께 세운 합작 법인의 이름은?")[:2] == ["소프트뱅크", "오픈ai"]
    assert a.tokens("소프트뱅크와 오픈AI가 세운 회사 https://www.youtube.com/watch?v=PR3c4Q63rOs") == [
        "소프트뱅크",
        "오픈",
        "ai",
        "세우",
        "회사",
    ]


def test_japanese_runs_become_bigrams() -> None:
    tokens = Analyzer().tokens("東京のミツバチは花が多い")
    assert {"東京", "ミツ", "ツバ", "バチ"} <= set(tokens)
    assert "は" not in tokens and "が" not in tokens
    index = KeywordIndex.build(
        [Analyzer().tokens(t) for t in ("東京のミツバチは遠くまで飛ぶ", "大阪の電車は速い")]
    )
    assert index.search(Analyzer().tokens("ミツバチはどこまで飛ぶの？"), 5)[0][0] == 0


def test_case_does_not_change_a_word_and_letters_glued_to_korean_stay() -> None:
    a = Analyzer()
    assert a.tokens("BTS and bts, AWS and aws") == ["bts", "bts", "aws", "aws"]
    assert a.tokens("A형 독감") == ["a", "독감"]
    # An e-mail address is Kiwi's (not content), even in text with no spaces around it.
    assert a.tokens("문의는 kim@example.com 으로") == ["문의"]


def test_a_passage_in_another_script_is_ranked_by_its_dense_score_whole() -> None:
    dense = [(1, 0.9), (2, 0.8), (3, 0.7)]
    keyword = [(2, 1.0), (3, 0.5)]
    # Row 2's key words outweigh row 1's better meaning when both could match them...
    assert [r for r, _ in weighted(dense, keyword, 0.6)] == [2, 1, 3]
    # ...but row 1 is in another script than the question, which no key word of it can match.
    assert [r for r, _ in weighted(dense, keyword, 0.6, frozenset({1}))] == [1, 2, 3]


def test_the_script_a_text_is_written_in() -> None:
    assert [script(t) for t in ("H100 가격은?", "酒蔵はいくつ？", "How many?", "漢字", "2024")] == [
        "ko",
        "ja",
        "en",
        None,
        None,
    ]
