"""Probabilistic symmetry: exchangeability tests, invariant sufficient statistics, orbit separation.

* `exchangeability_test(X, group, ...)` — paired swap randomisation test of H0: X =d g·X.
* `axis_exchangeability_test`, `columns_exchangeability_test`, `rows_exchangeability_test` —
  the same for permutations of one axis; `sequence_exchangeability_test` for the order of rows.
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

__all__ = [
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
