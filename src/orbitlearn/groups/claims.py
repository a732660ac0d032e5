"""Symmetry claims as data: what a layer, model, pipeline or ensemble says it respects.

* `Invariance(action)`: f(ρ(g)x) = f(x) for every g of the action's group.
  `NO_SYMMETRY` claims nothing; `EVERYTHING` is a constant map's claim.
* `Equivariance(action_in, action_out)`: f(ρ_in(g)x) = ρ_out(g) f(x); both actions share one group.

Claims are compared by subgroup tests (`orbitlearn.groups.action.Action.is_subaction_of`), never
by their names: ``weaker <= stronger`` holds when every symmetry of the weaker claim is one of the
stronger. `join` is what two facts together give (a model invariant under S26 behind an exact
average over S4 is invariant under S4 x S26); `meet` is what two members of an ensemble share.
An action of unspecified size (``Permutation(None, -2)``, a set layer's "any number of points")
is fixed by `bind(shape)` before anything is sampled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from orbitlearn.groups.action import Action
from orbitlearn.groups.concrete import Product


def _product(factors: Sequence[Action]) -> Action:
    """One action from factors on disjoint axes, outermost axis first (S4 x S26, not S26 x S4)."""
    factors = sorted(factors, key=lambda f: min(f.axes))
    return factors[0] if len(factors) == 1 else Product(*factors)


def _label(action: Action) -> str:
    return " x ".join(f.group.name for f in action.factors())


@dataclass(frozen=True)
class Invariance:
    """f(ρ(g)x) = f(x) for all g; `action` None means no symmetry unless `everything`."""

    action: Action | None = None
    everything: bool = False

    @property
    def label(self) -> str:
        """Short text: "none", "everything", or the groups, e.g. "S4 x S26" or "GL(4,Z) x S26"."""
        if self.everything:
            return "everything"
        if self.action is None or self.action.group.is_trivial():
            return "none"
        return _label(self.action)

    def __str__(self) -> str:
        return self.label

    def is_trivial(self) -> bool:
        """Whether the claim says nothing."""
        return not self.everything and (self.action is None or self.action.group.is_trivial())

    def bind(self, shape: Sequence[int]) -> Invariance:
        """The claim with open sizes (S_n of any n) fixed by an input shape."""
        return self if self.action is None else Invariance(self.action.bind(shape), self.everything)

    def __le__(self, other: Invariance) -> bool:
        """Whether every symmetry claimed here is claimed by `other` too."""
        if other.everything or self.is_trivial():
            return True
        if self.everything or other.action is None:
            return False
        return self.action.is_subaction_of(other.action)  # type: ignore[union-attr]

    def join(self, other: Invariance) -> Invariance:
        """Both claims at once: the larger when they are comparable, the product when they act
        on disjoint axes (commuting factors), else this one (nothing more can be said simply)."""
        if self <= other:
            return other
        if other <= self:
            return self
        mine, theirs = self.action.factors(), other.action.factors()  # type: ignore[union-attr]
        if not {a for f in mine for a in f.axes} & {a for f in theirs for a in f.axes}:
            return Invariance(_product([*mine, *theirs]))
        return self

    def meet(self, other: Invariance) -> Invariance:
        """What both claims share: the smaller when comparable, the common factors (same axes,
        one contained in the other) otherwise."""
        if self <= other:
            return self
        if other <= self:
            return other
        theirs = {f.axes: f for f in other.action.factors()}  # type: ignore[union-attr]
        common = []
        for f in self.action.factors():  # type: ignore[union-attr]
            g = theirs.get(f.axes)
            if g is None:
                continue
            if f.is_subaction_of(g):
                common.append(f)
            elif g.is_subaction_of(f):
                common.append(g)
        return Invariance(_product(common)) if common else NO_SYMMETRY

    @staticmethod
    def meet_all(claims: Sequence[Invariance]) -> Invariance:
        """What all the claims share (an ensemble's claim)."""
        out = claims[0]
        for c in claims[1:]:
            out = out.meet(c)
        return out


@dataclass(frozen=True)
class Equivariance:
    """f(ρ_in(g)x) = ρ_out(g)f(x) for all g of the one group both actions share."""

    action_in: Action
    action_out: Action

    def __post_init__(self) -> None:
        a, b = self.action_in.group, self.action_out.group
        # actions of unspecified size (S_n of any n) are compared after binding
        if a != b and getattr(a, "n", 0) is not None and getattr(b, "n", 0) is not None:
            raise ValueError(f"an equivariance needs one group on both sides, not {a} and {b}")

    @property
    def label(self) -> str:
        """Short text: the input groups and the word equivariant."""
        return f"{_label(self.action_in)} equivariant"

    def __str__(self) -> str:
        return self.label

    def bind(self, shape_in: Sequence[int], shape_out: Sequence[int]) -> Equivariance:
        """The claim with open sizes fixed by the input and output shapes."""
        return Equivariance(self.action_in.bind(shape_in), self.action_out.bind(shape_out))


Symmetry = Invariance | Equivariance

#: claims nothing
NO_SYMMETRY = Invariance(None)
#: a constant map's claim: invariant under every action
EVERYTHING = Invariance(None, everything=True)

__all__ = ["EVERYTHING", "NO_SYMMETRY", "Equivariance", "Invariance", "Symmetry"]
