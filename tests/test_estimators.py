"""The package's scikit-learn transformers: every one passes scikit-learn's own estimator checks
on its default construction, and the shape rules of `orbitlearn.estimators` hold."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.utils.estimator_checks import parametrize_with_checks

from orbitlearn.apps.ks.lexascent import LexAscentDirichlet
from orbitlearn.canon import Dirichlet, LexCanonical, PCAFrame, PolytopeNormalForm
from orbitlearn.estimators import ArrayTransformer
from orbitlearn.groups import Permutation, Product, SignedPermutation
from orbitlearn.stats.features import (
    CanonicalFeatures,
    DeterminantHistogram,
    Flatten,
    InvariantPolynomials,
    PowerSums,
    SortedValues,
)

TRANSFORMERS = [
    LexCanonical,
    Dirichlet,
    LexAscentDirichlet,
    PolytopeNormalForm,
    PCAFrame,
    PowerSums,
    SortedValues,
    InvariantPolynomials,
    DeterminantHistogram,
    CanonicalFeatures,
    Flatten,
]


def test_the_list_is_every_transformer_of_the_package():
    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    concrete = {c for c in subclasses(ArrayTransformer) if not c.__name__.startswith("_")}
    concrete -= {
        c
        for c in concrete
        if c.__name__ in ("Canonicalizer", "RowColumnCanonicalizer", "FeatureMap")
    }
    assert concrete <= set(TRANSFORMERS)


@parametrize_with_checks([cls() for cls in TRANSFORMERS])
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_dirichlet_prints_clones_and_grid_searches():
    d = Dirichlet(reference="gaussian", restarts=2)
    assert "reference='gaussian'" in repr(d)
    assert clone(d).get_params() == d.get_params()
    rng = np.random.default_rng(0)
    x = rng.integers(-3, 4, size=(40, 3, 5))
    y = (x.sum(axis=(1, 2)) > 0).astype(int)
    search = GridSearchCV(
        make_pipeline(Dirichlet(shape=(3, 5)), LogisticRegression(max_iter=200)),
        {"dirichlet__reference": ["gaussian", "rank1"]},
        cv=2,
    )
    search.fit(x.reshape(40, -1), y)
    assert search.best_params_["dirichlet__reference"] in ("gaussian", "rank1")
    assert "Dirichlet" in repr(search.best_estimator_)


def test_transform_needs_fit_and_the_fitted_width():
    lex = LexCanonical()
    x = np.random.default_rng(1).integers(-3, 4, size=(6, 3, 5))
    with pytest.raises(NotFittedError):
        lex.transform(x)
    lex.fit(x)
    assert lex.n_features_in_ == 15 and lex.input_shape_ == (3, 5)
    # flattened rows of the fitted width are read as the fitted matrices
    np.testing.assert_array_equal(lex.transform(x.reshape(6, -1)), lex.transform(x))
    np.testing.assert_array_equal(lex.transform(x), lex.project(x).reshape(6, -1))
    with pytest.raises(ValueError, match="X has 16 features, but LexCanonical is expecting 15"):
        lex.transform(np.zeros((2, 16)))
    with pytest.raises(ValueError, match="fitted on"):
        lex.transform(np.zeros((2, 5, 3)))


@pytest.mark.parametrize(
    "bad, error",
    [
        (np.array([[1.0, np.nan]]), "NaN"),
        (np.array([[1.0, np.inf]]), "NaN or infinity"),
        (np.array([[1 + 2j, 0]]), "Complex"),
        (np.zeros((0, 3)), "0 sample"),
        (np.zeros((3, 0)), "0 feature"),
        (np.zeros(3), "Reshape your data"),
        (np.zeros((2, 2, 2, 2)), "Reshape your data"),
    ],
)
def test_bad_input_is_refused_with_a_reason(bad, error):
    for cls in TRANSFORMERS:
        with pytest.raises(ValueError, match=error):
            cls().fit(bad)


def test_rows_are_sets_and_the_line_normal_form_is_exact():
    """A 2-D input without shape is one 1 x F matrix per sample; for d = 1 the normal form is the
    exact canonical form of {±1} x S_F on real rows."""
    rng = np.random.default_rng(2)
    rows = rng.normal(size=(50, 7))
    nf = PolytopeNormalForm().fit(rows)
    out = nf.transform(rows)
    group = Product(SignedPermutation(1, axis=-2), Permutation(7, axis=-1))
    assert PolytopeNormalForm().group(1, 7) == group
    moved = group.act_batch(group.sample(50, rng), rows[:, None, :])[:, 0, :]
    np.testing.assert_array_equal(nf.transform(moved), out)  # invariant
    # and in the orbit: the sorted values of x or of -x
    for x, y in zip(rows, out, strict=True):
        assert np.array_equal(y, np.sort(x)) or np.array_equal(y, np.sort(-x))
    # sets for the set maps, 1 x F matrices for the matrix maps (lex orders columns descending)
    np.testing.assert_array_equal(SortedValues().fit_transform(rows), np.sort(rows, axis=1))
    np.testing.assert_array_equal(
        CanonicalFeatures("lex").fit_transform(rows), np.sort(rows, axis=1)[:, ::-1]
    )


def test_fit_records_exactness_and_transform_leaves_the_estimator_alone():
    x = np.random.default_rng(3).integers(-2, 3, size=(5, 3, 4))
    poly = InvariantPolynomials(3).fit(x)
    assert poly.exact_ is True
    before = dict(poly.__dict__)
    poly.transform(x)
    assert poly.__dict__.keys() == before.keys()
    assert not PowerSums(4).exact(np.full((1, 3), 10**6))  # would overflow int64: float64 instead
