"""Probabilistic symmetry: exchangeability tests, invariant sufficient statistics, orbit separation.

* `exchangeability_test(X, group, ...)` — paired swap randomisation test of H0: X =d g·X.
* `axis_exchangeability_test`, `columns_exchangeability_test`, `rows_exchangeability_test` —
  the same for permutations of one axis; `sequence_exchangeability_test` for the order of rows.
* `PowerSums`, `SortedValues`, `InvariantPolynomials`, `DeterminantHistogram` (GL(d,Z) × S_n),
  `CanonicalFeatures` — invariant feature
  maps (scikit-learn transformers); `feature_map("poly:3")` builds one by name.
* `orbit_separation(features, orbit_ids)` — share of orbits whose features collide;
  `image_separation` adds random group images and the share of changed features;
  `accuracy_ceiling(features, y)` — the best accuracy any function of the features reaches.
* `label_invariance_test(model, X, y, group)` — paired McNemar / Wilcoxon test of a model's
  score on (x, y) against (g·x, y), with the accuracy drop and its interval.
"""

from orbitlearn.stats.exchangeability import (
    ExchangeabilityResult,
    axis_exchangeability_test,
    axis_group,
    columns_exchangeability_test,
    exchangeability_test,
    median_bandwidth,
    rows_exchangeability_test,
    sequence_exchangeability_test,
    symmetric_sample,
)
from orbitlearn.stats.features import (
    FEATURE_NAMES,
    CanonicalFeatures,
    DeterminantHistogram,
    Flatten,
    InvariantPolynomials,
    PowerSums,
    SortedValues,
    bipartite_multigraphs,
    feature_map,
    subset_determinants,
)
from orbitlearn.stats.label_invariance import LabelInvarianceResult, label_invariance_test
from orbitlearn.stats.separation import (
    ImageSeparationReport,
    SeparationReport,
    accuracy_ceiling,
    feature_keys,
    image_separation,
    orbit_separation,
)

__all__ = [
    "FEATURE_NAMES",
    "CanonicalFeatures",
    "DeterminantHistogram",
    "Flatten",
    "InvariantPolynomials",
    "PowerSums",
    "SortedValues",
    "bipartite_multigraphs",
    "feature_map",
    "subset_determinants",
    "LabelInvarianceResult",
    "label_invariance_test",
    "ImageSeparationReport",
    "SeparationReport",
    "accuracy_ceiling",
    "feature_keys",
    "image_separation",
    "orbit_separation",
    "ExchangeabilityResult",
    "axis_exchangeability_test",
    "axis_group",
    "columns_exchangeability_test",
    "exchangeability_test",
    "median_bandwidth",
    "rows_exchangeability_test",
    "sequence_exchangeability_test",
    "symmetric_sample",
]
