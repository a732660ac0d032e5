"""The profiles of the N-body benchmark (epochs, seeds, rows, data sizes) and the cells' names."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from orbitlearn.bench.runner import pick_profile

#: rows in the order their cells are run (the references that set the bar first)
ORDER = (
    "egnn",
    "egnn_cosine",
    "gnn",
    "linear",
    "rf",
    "gnn_aug",
    "gnn_pca",
    "gnn_fa",
    "egnn_cosine150",
    "gnn_aug_long",
    "rf_long",
    "gnn_long",
    "fa_gnn",
)
#: the e3nn rows (Tensor Field Network, SE(3)-Transformer as the EGNN code builds it): the TFN
#: after the others in quick; the SE(3)-Transformer (about eight times a TFN step on the CPU,
#: pathwise) at its published budget in full only
E3NN_ROWS = ("tfn", "se3_transformer")
#: the SE(3)-Transformer at 100 epochs (quick): the EGNN code's build (the reference), ours with
#: skip connections, and ours without them (which difference makes ours beat 0.0244)
SE3_STUDY = ("se3_transformer_published100", "se3_transformer100", "se3_transformer_noskip100")
#: after every row's first seed: these rows' further seeds first (the tuned EGNN's three seeds
#: make its ensemble), then everything else seed-major
PRIORITY = ("egnn_cosine", "egnn")
#: the published protocol validates (and scores the test part) every 5 epochs
PUBLISHED_VAL_EVERY = 5


@dataclass(frozen=True)
class NBodyProfile:
    """Everything that decides a run: epochs, seeds, rows, data sizes, compile."""

    name: str
    epochs: int
    seeds: tuple[int, ...] = (0, 1, 2)
    rows: tuple[str, ...] = ORDER
    max_train: int = 3000
    max_eval: int | None = None  # None: all 2000 validation and test simulations
    compile: bool = True
    hidden: int | None = None  # None: the published sizes (tests shrink them)
    max_row_epochs: int | None = None  # caps the budget a row's recipe fixes (test profiles)
    eps_starts: int = 3  # adversarial ε: Nelder-Mead starts and evaluations per start (report)
    eps_evals: int = 120
    val_every: int = PUBLISHED_VAL_EVERY  # validate (and test) every this many epochs

    def identity(self) -> dict:
        """What a cell's numbers depend on (stored with it; cells of another identity are redone).

        `val_every` enters only where it differs from the published 5: cells stored before the
        field existed were validated every 5 epochs and keep their identity."""
        d = asdict(self)
        for k in ("name", "seeds", "rows", "compile", "max_row_epochs", "eps_starts", "eps_evals"):
            d.pop(k)
        if d["val_every"] == PUBLISHED_VAL_EVERY:
            d.pop("val_every")
        return d


PROFILES = {
    # the test suite's: seconds, not meaningful numbers
    "smoke": NBodyProfile(
        "smoke",
        epochs=2,
        rows=(*ORDER, *E3NN_ROWS),
        seeds=(0,),
        max_train=200,
        max_eval=100,
        compile=False,
        hidden=8,
        max_row_epochs=2,
        eps_starts=1,
        eps_evals=20,
    ),
    # what a shared 2-core CPU session can afford: 300 epochs a cell (the published budget is 10,000)
    # (the TFN, then the SE(3)-Transformers at their own 100-epoch budget)
    "quick": NBodyProfile("quick", epochs=300, rows=(*ORDER, "tfn", *SE3_STUDY)),
    # the published budget
    "full": NBodyProfile("full", epochs=10_000, rows=(*ORDER, *E3NN_ROWS)),
}


def get_profile(name: str) -> NBodyProfile:
    """A profile by name."""
    return pick_profile(PROFILES, name)


def cell_stem(row: str, epochs: int, seed: int) -> str:
    """<row>_e<epochs>_s<seed>: a cell's file stem."""
    return f"{row}_e{epochs}_s{seed}"


__all__ = [
    "E3NN_ROWS",
    "ORDER",
    "SE3_STUDY",
    "PRIORITY",
    "PROFILES",
    "NBodyProfile",
    "cell_stem",
    "get_profile",
]
