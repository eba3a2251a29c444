"""Fit the confidence model (RetrievalParams.flag_weights, flag_bias, min_confidence).

A logistic regression over three signals of each eval question's result (the answer sentence's
cosine, the peak, key-word coverage), L2-regularized on standardized signals, then the
probability cut that keeps KEEP of the answerable questions answered.  Leave-one-out figures say
how well that choice holds on questions it was not fitted on.
"""

from __future__ import annotations

import numpy as np

from rag.evaluation import Question
from rag.result import Result

# Share of answerable questions that must keep their answer: flagging unanswerable ones is paid
# for with some answers withheld, and this is the price we accept.
KEEP = 0.85
L2 = 1.0


def signals(result: Result) -> list[float]:
    # The span the service judged confidence on (rag.result.Result.judged).
    judged = result.judged or result.candidate
    cosine = judged.cosine if judged is not None else 0.0
    return [cosine, result.peak, result.coverage]


def fit(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """Weights and bias on the raw signals, fitted by gradient descent on standardized ones."""
    mean, std = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = np.hstack([(x - mean) / std, np.ones((len(x), 1))])
    w = np.zeros(z.shape[1])
    for _ in range(5000):
        p = 1 / (1 + np.exp(-z @ w))
        grad = z.T @ (p - y) / len(y)
        grad[:-1] += L2 * w[:-1] / len(y)
        w -= 0.5 * grad
    weights = w[:-1] / std
    return weights, float(w[-1] - weights @ mean)


def probability(x: np.ndarray, weights: np.ndarray, bias: float) -> np.ndarray:
    return 1 / (1 + np.exp(-(x @ weights + bias)))


def cut(scores: np.ndarray, answerable: np.ndarray) -> float:
    """The highest cut that keeps at least KEEP of the answerable questions (flag: score < cut)."""
    kept = np.sort(scores[answerable])
    return float(kept[int(np.floor((1 - KEEP) * len(kept) + 1e-9))])


def calibrate(results: list[tuple[Question, Result]]) -> None:
    x = np.array([signals(r) for _, r in results])
    y = np.array([q.answerable for q, _ in results])
    # Flagged whatever the model says (Result.gated).
    gated = np.array([r.gated for _, r in results])
    weights, bias = fit(x, y.astype(float))
    fitted_p = probability(x, weights, bias)
    threshold = cut(fitted_p, y)
    # Leave one out: fit on the rest, judge the one left out.
    flagged = np.zeros(len(y), dtype=bool)
    for i in range(len(y)):
        rest = np.arange(len(y)) != i
        w, b = fit(x[rest], y[rest].astype(float))
        t = cut(probability(x[rest], w, b), y[rest])
        flagged[i] = gated[i] or probability(x[i : i + 1], w, b)[0] < t
    fitted = gated | (fitted_p < threshold)
    print(
        f"flag_weights=({weights[0]:.4g}, {weights[1]:.4g}, {weights[2]:.4g}) flag_bias={bias:.4g} "
        f"min_confidence={threshold:.4f}"
    )
    for name, flags in (("fitted", fitted), ("leave-one-out", flagged)):
        print(
            f"  {name}: flags {flags[~y].mean():.3f} of {int((~y).sum())} unanswerable, "
            f"answers {(~flags[y]).mean():.3f} of {int(y.sum())} answerable"
        )
