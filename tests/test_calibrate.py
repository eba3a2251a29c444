"""The confidence model's fit: bench.calibrate recovers a known separation and keeps its promise."""

from __future__ import annotations

import numpy as np

from bench.calibrate import KEEP, cut, fit, probability


def test_fit_separates_what_separates_and_ignores_noise() -> None:
    rng = np.random.default_rng(7)
    answerable = rng.random(400) < 0.6
    # The first signal separates the two kinds; the second is noise.
    signal = np.where(answerable, 0.9, 0.8) + rng.normal(0, 0.02, 400)
    x = np.column_stack([signal, rng.normal(0, 1, 400)])
    weights, bias = fit(x, answerable.astype(float))
    assert weights[0] > 10 * abs(weights[1])
    p = probability(x, weights, bias)
    threshold = cut(p, answerable)
    kept = (p[answerable] >= threshold).mean()
    flagged = (p[~answerable] < threshold).mean()
    assert kept >= KEEP and flagged > 0.95


def test_cut_keeps_the_promised_share_exactly_at_the_edge() -> None:
    scores = np.arange(20, dtype=float)
    answerable = np.ones(20, dtype=bool)
    # 85% of 20 is 17: the cut is the 4th-lowest score, so 17 of 20 stay above or at it.
    assert cut(scores, answerable) == 3.0
    assert (scores >= cut(scores, answerable)).sum() == 17
