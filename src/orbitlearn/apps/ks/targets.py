"""What a KS model predicts: the one list of label names.

A target is a header label of the KS data that a classifier learns as classes: ``h11`` (the
default, the published benchmark's label) or ``h21``. Datasets, pipelines, checkpoints, the
benchmark rows and the command line take a target by these names; nothing else lists them.
"""

from __future__ import annotations

from orbitlearn.datasets.ks import HEADER_MIRROR

#: the labels a model may be trained to predict
TARGETS = ("h11", "h21")
DEFAULT_TARGET = "h11"
#: mirror symmetry: each target of a reflexive polytope is the other one of its polar dual,
#: h11(Δ) = h21(Δ*) and h21(Δ) = h11(Δ*) (the header's mirror, restricted to the targets)
MIRROR = {t: HEADER_MIRROR[t] for t in TARGETS}


def check_target(name: str) -> str:
    """`name` if it is a known target, else ValueError listing the known ones."""
    if name not in TARGETS:
        raise ValueError(f"unknown target {name!r}; known: {', '.join(TARGETS)}")
    return name
