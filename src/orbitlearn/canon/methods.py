"""The canonicalisers by method name (the CLI and pipelines look them up here)."""

from orbitlearn.canon.dirichlet import Dirichlet
from orbitlearn.canon.lex import LexCanonical
from orbitlearn.canon.normal import PolytopeNormalForm

METHODS = {"lex": LexCanonical, "dirichlet": Dirichlet, "normal": PolytopeNormalForm}
