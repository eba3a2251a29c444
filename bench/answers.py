"""Fit the answer span model (RetrievalParams.answer_weights) on the development splits.

Usage: .venv/bin/python -m bench.answers [--split dev] [--corpus seed ...]   (bench.corpora)

Every answerable question's candidate spans (rag.answer.candidates, the same ``ask`` chooses from)
are labelled: a span is right when it contains the question's evidence and no shorter span inside
it does (the shortest span that answers is wanted).  The weights maximize the softmax probability
of the right spans among each question's candidates (a listwise ranking loss), L2-regularized on
standardized features.  Prints the weights, the share of questions whose chosen span contains the
evidence with them (fitted) and with weights fitted on the other folds (cross-validated), against
the weights in use; then, cross-validated, what answering with both sentences where the model
cannot tell two neighbours apart (RetrievalParams.answer_hedge) gains, and what it costs in
length.  Every figure comes from rag.answer.choose, the function ``ask`` uses.
"""

from __future__ import annotations

import argparse

import numpy as np
from scipy.optimize import minimize

from bench.corpora import named, searchers
from rag.answer import FEATURES, Candidate, choose
from rag.chunking import squash_text
from rag.embedder import load_embedder
from rag.params import RetrievalParams
from rag.settings import load_settings
from rag.splits import SPLITS

L2 = 1.0
FOLDS = 5
# Cross-validation repeated over this many shuffles: one shuffle of ~150 questions moves by ±0.02.
REPEATS = 3
HEDGES = (0.0, 0.5, 1.0, 1.5, 2.0)

Group = tuple[np.ndarray, np.ndarray, np.ndarray]  # features, right (shortest), contains evidence


def labelled(spans: list[Candidate], evidence: str) -> Group:
    needle = squash_text(evidence)
    contains = np.array([needle in squash_text(c.text) for c in spans])
    single = {(id(c.hit), c.first) for c, ok in zip(spans, contains, strict=True) if ok and c.first == c.last}
    right = np.array(
        [
            ok and (c.first == c.last or not ({(id(c.hit), c.first), (id(c.hit), c.last)} & single))
            for c, ok in zip(spans, contains, strict=True)
        ]
    )
    return np.array([c.features for c in spans], dtype=np.float64), right, contains


def loss(w: np.ndarray, groups: list[Group], l2: float = L2) -> tuple[float, np.ndarray]:
    """The listwise loss: minus the log of the softmax mass on each group's right rows (bench.crossrank
    fits with it too)."""
    total, grad = l2 * float(w @ w) / 2, l2 * w
    for x, right, _ in groups:
        s = x @ w
        p = np.exp(s - s.max())
        p /= p.sum()
        mass = p[right].sum()
        total -= float(np.log(mass + 1e-12))
        target = np.where(right, p / (mass + 1e-12), 0.0)
        grad = grad + x.T @ (p - target)
    return total, grad


def fit(groups: list[Group]) -> np.ndarray:
    """Weights on the raw features (fitted on standardized ones)."""
    stacked = np.vstack([x for x, _, _ in groups])
    mean, std = stacked.mean(axis=0), stacked.std(axis=0) + 1e-9
    scaled = [((x - mean) / std, r, c) for x, r, c in groups]
    learned = [g for g in scaled if g[1].any()]
    w = minimize(loss, np.zeros(len(FEATURES)), args=(learned,), jac=True, method="L-BFGS-B").x
    return np.asarray(w / std)


def hits(w: np.ndarray, groups: list[Group]) -> float:
    """Share of questions whose best span under ``w`` contains the evidence."""
    return sum(bool(c[int(np.argmax(x @ w))]) for x, _, c in groups) / len(groups)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", default="dev", choices=["dev", *SPLITS, "all"])
    parser.add_argument(
        "--corpus", action="append", help="fit on this corpus only (bench.corpora; repeatable)"
    )
    args = parser.parse_args()
    settings = load_settings()
    embedder = load_embedder(settings)
    groups: list[Group] = []
    spans_of: list[list[Candidate]] = []
    needles: list[str] = []
    corpus_of: list[str] = []
    for corpus, questions, searcher in searchers(
        named(args.corpus), args.split, settings, embedder, RetrievalParams()
    ):
        for q in questions:
            if q.evidence is None:
                continue
            spans, decisive = searcher.answer_spans(q.question, 10)
            # As in rag.answer.choose: a decisive answer type limits the spans to those stating it.
            if decisive and any(c.typed for c in spans):
                spans = [c for c in spans if c.typed]
            if spans:
                groups.append(labelled(spans, q.evidence))
                spans_of.append(spans)
                needles.append(squash_text(q.evidence))
                corpus_of.append(corpus.name)
    w = fit(groups)
    folds = cross_fitted(groups)
    current = np.array(RetrievalParams().answer_weights)
    reachable = sum(bool(c.any()) for _, _, c in groups) / len(groups)
    print(
        f"{len(groups)} answerable questions with spans ({args.split}); evidence in some span: {reachable:.3f}"
    )
    print("answer_weights=(" + ", ".join(f"{v:.4g}" for v in w) + ")  # " + ", ".join(FEATURES))
    print(f"  weights in use: {hits(current, groups):.3f}")
    print(f"  fitted:         {hits(w, groups):.3f}")
    print(f"  {FOLDS}-fold cross-validated: {sum(hits(f, [groups[i]]) for i, f in folds) / len(folds):.3f}")
    names = sorted(set(corpus_of))
    if len(names) > 1:
        print("each corpus: weights in use, and fitted on the other corpora (a talk never seen):")
        for name in names:
            mine = [g for g, c in zip(groups, corpus_of, strict=True) if c == name]
            others = fit([g for g, c in zip(groups, corpus_of, strict=True) if c != name])
            print(
                f"  {name:<8} {len(mine):4d} questions: {hits(current, mine):.3f} -> {hits(others, mine):.3f}"
            )
    print(f"hedge (in use {RetrievalParams().answer_hedge}), cross-validated through rag.answer.choose:")
    for hedge in HEDGES:
        picked = [chosen(spans_of[i], f, hedge) for i, f in folds]
        right = sum(
            needle in squash_text(text)
            for needle, (text, _) in zip([needles[i] for i, _ in folds], picked, strict=True)
        )
        pairs = sum(pair for _, pair in picked)
        chars = sum(len(text) for text, _ in picked)
        print(
            f"  {hedge:4.1f}: answer {right / len(picked):.3f}, two sentences {pairs / len(picked):.3f}, "
            f"mean {chars / len(picked):.0f} characters"
        )


def cross_fitted(groups: list[Group]) -> list[tuple[int, np.ndarray]]:
    """Each question with the weights fitted on the folds that leave it out, once per shuffle."""
    out: list[tuple[int, np.ndarray]] = []
    for repeat in range(REPEATS):
        order = np.random.default_rng(repeat).permutation(len(groups))
        for fold in range(FOLDS):
            held = set(order[fold::FOLDS].tolist())
            wf = fit([g for i, g in enumerate(groups) if i not in held])
            out.extend((i, wf) for i in sorted(held))
    return out


def chosen(spans: list[Candidate], w: np.ndarray, hedge: float) -> tuple[str, bool]:
    """The answer's text under ``w`` and ``hedge``, and whether it is two sentences."""
    answer, _ = choose(spans, w.tolist(), None, hedge)
    assert answer is not None
    starts = [s.start for s in answer.passage.sentences]
    return answer.text, sum(answer.char_start <= x < answer.char_end for x in starts) > 1


if __name__ == "__main__":
    main()
