"""Seeded random group actions as transforms."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from orbitlearn.augment import AugmentedDataset, RandomAction, random_action
from orbitlearn.canon import LexCanonical
from orbitlearn.groups import get_group

S4xS26 = get_group("s4xs26")


def _x(rng, b=16):
    return rng.integers(-4, 5, size=(b, 4, 26))


def test_same_seed_same_images_and_images_in_orbit():
    rng = np.random.default_rng(0)
    x = _x(rng)
    a = RandomAction(S4xS26, seed=5)(x)
    b = RandomAction(S4xS26, seed=5)(x)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, RandomAction(S4xS26, seed=6)(x))
    # every image is in the orbit of its input, and items got different elements
    lex = LexCanonical()
    np.testing.assert_array_equal(lex.project(a), lex.project(x))
    aug = RandomAction(S4xS26, seed=5)
    y = aug(x)
    np.testing.assert_array_equal(S4xS26.act_batch(aug.last_elements, x), y)
    rows = {tuple(g[0]) for g in aug.last_elements}
    assert len(rows) > 1


def test_successive_calls_draw_new_elements():
    rng = np.random.default_rng(1)
    x = _x(rng)
    aug = RandomAction(S4xS26, seed=0)
    assert not np.array_equal(aug(x), aug(x))


def test_torch_batches_and_single_samples():
    rng = np.random.default_rng(2)
    x = _x(rng)
    t = torch.as_tensor(x, dtype=torch.float32)
    out = RandomAction(S4xS26, seed=3)(t)
    assert isinstance(out, torch.Tensor) and out.dtype == torch.float32
    np.testing.assert_array_equal(out.numpy(), RandomAction(S4xS26, seed=3)(x))
    single = RandomAction(get_group("gl4z"), seed=3, batched=False)
    y = single(t[0])
    assert y.shape == (4, 26)
    a, p = single.last_elements[0]
    np.testing.assert_allclose(y.numpy(), (a @ x[0])[:, p])


def test_probability_p():
    rng = np.random.default_rng(4)
    x = _x(rng, b=200)
    aug = RandomAction(S4xS26, seed=0, p=0.0)
    np.testing.assert_array_equal(aug(x), x)
    aug = RandomAction(S4xS26, seed=0, p=0.5)
    y = aug(x)
    changed = ~(y == x).all(axis=(1, 2))
    assert 0.3 < changed.mean() < 0.7
    with pytest.raises(ValueError):
        RandomAction(S4xS26, p=2.0)


def test_functional_and_dataset_wrapper():
    rng = np.random.default_rng(5)
    x = _x(rng, b=4)
    y, gs = random_action(x, get_group("signed"), rng=0)
    np.testing.assert_array_equal(get_group("signed").act_batch(gs, x), y)
    data = [(x[i], i) for i in range(4)]
    ds = AugmentedDataset(data, S4xS26, seed=1)
    assert len(ds) == 4
    xi, yi = ds[2]
    assert yi == 2
    np.testing.assert_array_equal(LexCanonical().project(xi[None]), LexCanonical().project(x[2:3]))


def test_haar_augmentation_of_point_clouds_moves_a_tuple_jointly():
    import torch

    from orbitlearn.groups import E3, point_cloud_inputs

    action = point_cloud_inputs(E3(), "scalar", "position", "vector")
    q, x, v = torch.randn(4, 5, 1), torch.randn(4, 5, 3), torch.randn(4, 5, 3)
    aug = RandomAction(action, seed=0)
    q2, x2, v2 = aug((q, x, v))
    assert torch.equal(q2, q)
    for b, g in enumerate(aug.last_elements):
        r, t = torch.as_tensor(g[:3, :3]).float(), torch.as_tensor(g[:3, 3]).float()
        assert torch.allclose(x2[b], x[b] @ r.T + t, atol=1e-5)
        assert torch.allclose(v2[b], v[b] @ r.T, atol=1e-5)
    again = RandomAction(action, seed=0)
    assert torch.equal(again((q, x, v))[1], x2)
