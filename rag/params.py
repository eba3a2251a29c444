"""How a Searcher (rag.retrieval) finds, ranks and answers: one frozen set of parameters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Mode = Literal["dense", "keyword", "hybrid"]
Fusion = Literal["rrf", "weighted"]


@dataclass(frozen=True)
class RetrievalParams:
    """How candidates are found and ranked; the defaults were chosen on the development splits."""

    mode: Mode = "hybrid"
    fusion: Fusion = "weighted"
    rrf_k: int = 60
    # Weight of the dense score in the weighted fusion (the keyword score gets the rest).
    dense_weight: float = 0.6
    # Candidates each retriever proposes before fusion.
    pool: int = 50
    # The keyword side ranks only a question with at least this share of its words indexed
    # (Searcher._known): fewer means another language, which shares only loanwords with the index.
    keyword_known: float = 0.5
    # Taken off the dense score of passages in the question's language where the library mixes
    # languages (rag.languages): e5-small's lean to its own language.  Chosen on the development
    # splits over libraries of several languages (docs/quality.md).
    same_language: float = 0.04
    # Reorder the settled results written in another script than the question with the model's
    # fitted cross-language ranker (rag.crossrank), where one ships for the model.
    cross_rank: bool = True
    # Share of a passage's dense score taken from its best-matching sentence rather than the
    # passage as a whole: a one-sentence answer drowns in a long passage's average.
    sentence_weight: float = 0.5
    # Share of the second encoder's cosine (rag.second) added to each dense candidate's score,
    # where one is used beside the model.  0.07 of 0, 0.07, 0.14 and 0.28 on the development splits
    # (docs/quality.md, "A second encoder"); 0 turns it off.
    second_weight: float = 0.07
    # Share of a Korean question's BM25 score over the Korean readings of a Japanese passage's kanji
    # compounds (rag.readings), as a share of the best such score, added to that passage's dense
    # score; 0 turns it off.
    bridge_weight: float = 0.02
    # The same for English passages and a Korean or Japanese question's key words in English
    # (rag.glossary): each word's nearest English words of the index by the second encoder, within
    # this cosine, at most this many.  0 turns it off.  Chosen on the development splits of the
    # eleven libraries with an English talk for Korean questions (docs/quality.md, twelfth round),
    # and the best of those tried for Japanese ones too (thirteenth round).
    glossary_weight: float = 0.04
    glossary_threshold: float = 0.5
    glossary_per_word: int = 8
    # The answer span's linear model over rag.answer.FEATURES, fitted on the development splits by
    # `python -m bench.answers`.
    answer_weights: tuple[float, ...] = (
        27.66,
        29.1,
        -1.57,
        7.012,
        1.185,
        0.04284,
        1.075e-09,
        8.68e-10,
        2.312,
        -0.5703,
        0.8158,
        -0.5488,
        0.8404,
        -4.102,
        -4.134,
        1.661,
        -5.528,
        2.667,
        0.7137,
        1.04,
        -0.5326,
    )
    # Where the best sentence's neighbour scores within this of it, the answer is both (rag.answer):
    # chosen on the development splits by `python -m bench.answers` (cross-validated).
    answer_hedge: float = 1.0
    # A question asking for a quantity or a time is flagged unless a span stating one scores within
    # this of the best span (rag.answer.choose).  On the development splits the answerable ones'
    # gaps reach 2.5 and the unanswerable ones' start at 3.3.
    typed_margin: float = 3.0
    # A question naming a year or a model ("2030년쯤", "H100") is answered by a span mentioning it
    # where one scores within this of the best span (rag.identifiers.naming); 2 was best on dev.
    named_margin: float = 2.0
    # Confidence is a logistic model over (answer sentence cosine, peak, key-word coverage), fitted
    # on the development splits by `python -m bench.tune --calibrate-only`.  The peak is how far the
    # best passage's cosine stands above the question's cosine to passages at large, in standard
    # deviations: a question on the video's topic that the video never answers is close to
    # everything and stands out from nothing.  Coverage is the share of a Korean question's key
    # words found in the top passages (1 for other languages).
    flag_weights: tuple[float, float, float] = (33.73, 0.223, 4.922)
    flag_bias: float = -32.13
    # Below this confidence the answer is withheld and the response flagged.
    min_confidence: float = 0.6127
    # A question asking for a quantity or a time is answered by a span that states one, and
    # flagged when no top passage does.
    check_answer_type: bool = True
