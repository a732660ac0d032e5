"""The training objectives' losses and scores, checked against their definitions."""

from __future__ import annotations

import math

import pytest
import torch

from orbitlearn.train.objectives import classification, soft_ordinal


def test_soft_ordinal_is_cross_entropy_against_a_normalised_gaussian():
    torch.manual_seed(0)
    out = torch.randn(5, 7)
    y = torch.tensor([0, 3, 6, 2, 2])
    sigma = 1.5
    got = soft_ordinal(7, sigma).loss(out, y)
    # by hand: q_k = exp(-(k - y)^2 / 2σ²) / Σ_j exp(-(j - y)^2 / 2σ²)
    total = 0.0
    for row, label in zip(out.tolist(), y.tolist()):
        weights = [math.exp(-((k - label) ** 2) / (2 * sigma**2)) for k in range(7)]
        norm = sum(weights)
        logz = math.log(sum(math.exp(v) for v in row))
        total += -sum(w / norm * (v - logz) for w, v in zip(weights, row))
    assert float(got) == pytest.approx(total / 5, rel=1e-5)


def test_soft_ordinal_tends_to_cross_entropy_and_prefers_near_misses():
    torch.manual_seed(1)
    out = torch.randn(16, 9)
    y = torch.randint(0, 9, (16,))
    narrow = soft_ordinal(9, 0.05).loss(out, y)
    assert float(narrow) == pytest.approx(float(classification().loss(out, y)), rel=1e-5)
    # the same confidence put on a class one away costs less than on a class four away
    near, far = torch.full((1, 9), -4.0), torch.full((1, 9), -4.0)
    near[0, 5], far[0, 8] = 4.0, 4.0
    label = torch.tensor([4])
    ordinal = soft_ordinal(9, 1.0)
    assert float(ordinal.loss(near, label)) < float(ordinal.loss(far, label))
    plain = classification()
    assert float(plain.loss(near, label)) == pytest.approx(float(plain.loss(far, label)))
    # scored by the argmax, like classification
    assert ordinal.score(out, y) == plain.score(out, y)


@pytest.mark.parametrize("sigma", [0, -1.0, float("nan"), float("inf")])
def test_soft_ordinal_refuses_a_width_that_is_not_a_positive_number(sigma):
    with pytest.raises(ValueError, match="sigma"):
        soft_ordinal(5, sigma)
