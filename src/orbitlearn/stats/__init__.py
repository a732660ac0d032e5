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
The names below are imported on first use.
"""

from orbitlearn._lazy import lazy_exports

_EXPORTS = {
    "ExchangeabilityResult": "exchangeability",
    "axis_exchangeability_test": "exchangeability",
    "axis_group": "exchangeability",
    "columns_exchangeability_test": "exchangeability",
    "exchangeability_test": "exchangeability",
    "median_bandwidth": "exchangeability",
    "rows_exchangeability_test": "exchangeability",
    "sequence_exchangeability_test": "exchangeability",
    "symmetric_sample": "exchangeability",
    "FEATURE_NAMES": "features",
    "CanonicalFeatures": "features",
    "DeterminantHistogram": "features",
    "Flatten": "features",
    "InvariantPolynomials": "features",
    "PowerSums": "features",
    "SortedValues": "features",
    "bipartite_multigraphs": "features",
    "feature_map": "features",
    "subset_determinants": "features",
    "LabelInvarianceResult": "label_invariance",
    "label_invariance_test": "label_invariance",
    "ImageSeparationReport": "separation",
    "SeparationReport": "separation",
    "accuracy_ceiling": "separation",
    "feature_keys": "separation",
    "image_separation": "separation",
    "orbit_separation": "separation",
}
__all__ = list(_EXPORTS)
__getattr__ = lazy_exports(__name__, _EXPORTS)
