"""Probabilistic symmetry on KS v26: exchangeability tests, orbit separation of invariant features, and
what simple models reach on each feature map.

1. Exchangeability (paired swap MMD test, `orbitlearn.stats.exchangeability_test`) of the vertex
   matrices under S26 (columns), S4 (rows) and S4 × S26 (both): as given in the file, and after
   replacing every matrix by a random image of the tested group (H0 then holds by construction;
   several seeds). Also the order of the entries in the file (`sequence_exchangeability_test`).
2. Orbit separation (`image_separation`) of every feature map on all entries plus one random
   S4 × S26 image and one random GL(4,Z) × S26 image of each (orbit id = entry: the entries are
   distinct polytopes up to GL(4,Z)), the share of entries whose features change under the image,
   and the accuracy ceiling for h11 (`accuracy_ceiling`: the best any function of the features does).
   The normal form and the |det| histogram run on the first --normal-limit entries only.
3. A random forest per feature map trained on a subsample of the seed-0 training part
   (`KSDataset.split(0)`), its test accuracy beside the ceiling, and `label_invariance_test` of the
   fitted model on test entries against random S4 × S26 and GL(4,Z) × S26 images.

Results: benchmarks/results/stats/results.json and results.md, with machine info.

    ORBITLEARN_DATA=/work/shared/data python benchmarks/stats_v26.py
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "2")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")

import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from orbitlearn.apps.ks.names import get_group  # noqa: E402
from orbitlearn.bench.machine import machine_info, machine_lines  # noqa: E402
from orbitlearn.datasets.ks_dataset import load_ks  # noqa: E402
from orbitlearn.progress import progress  # noqa: E402
from orbitlearn.stats import (  # noqa: E402
    accuracy_ceiling,
    axis_exchangeability_test,
    axis_group,
    feature_map,
    image_separation,
    label_invariance_test,
    sequence_exchangeability_test,
)

ROOT = Path(__file__).resolve().parents[1]
LIMITED = ("normal", "dets")  # slower maps: --normal-limit entries
OUT = ROOT / "benchmarks" / "results" / "stats"
FEATURES = (
    "raw",
    "power-sums:1",
    "power-sums:2",
    "power-sums:3",
    "power-sums:4",
    "sorted",
    "poly:1",
    "poly:2",
    "poly:3",
    "poly:4",
    "poly:5",
    "lex",
    "normal",
    "dets",
)
MODEL_FEATURES = (
    "raw",
    "power-sums:1",
    "power-sums:2",
    "sorted",
    "poly:2",
    "poly:3",
    "poly:4",
    "poly:5",
    "lex",
    "normal",
    "dets",
)


# --------------------------------------------------------------------------- 1. exchangeability


def run_exchangeability(V: np.ndarray, args) -> list[dict]:
    rows = []
    jobs = [(axis, None) for axis in ("columns", "rows", "both")]
    jobs += [(axis, s) for axis in ("columns", "rows", "both") for s in range(args.control_seeds)]
    for axis, seed in progress(jobs, desc="exchangeability"):
        data = V
        rng = np.random.default_rng(args.seed if seed is None else 1000 + seed)
        if seed is not None:
            g = axis_group(V.shape[1:], axis)
            data = g.act_batch(g.sample(len(V), rng), V)
        for statistic in ("mmd", "energy") if seed is None else ("mmd",):
            t0 = time.perf_counter()
            r = axis_exchangeability_test(
                data,
                axis,
                statistic=statistic,
                n_resamples=args.resamples,
                rng=rng,
                max_samples=args.max_samples,
            )
            rows.append(
                {
                    "axis": axis,
                    "data": "as given" if seed is None else f"random images (seed {seed})",
                    **r.to_dict(),
                    "seconds": time.perf_counter() - t0,
                }
            )
    r = sequence_exchangeability_test(
        V[: args.max_samples], n_resamples=args.resamples, rng=args.seed
    )
    rows.append(
        {"axis": "entries (file order)", "data": f"first {args.max_samples} entries", **r.to_dict()}
    )
    perm = np.random.default_rng(args.seed).permutation(len(V))[: args.max_samples]
    r = sequence_exchangeability_test(V[perm], n_resamples=args.resamples, rng=args.seed)
    rows.append(
        {
            "axis": "entries (file order)",
            "data": f"{args.max_samples} entries in random order",
            **r.to_dict(),
        }
    )
    return rows


# --------------------------------------------------------------------------- 2. separation


def run_separation(V: np.ndarray, h11: np.ndarray, images: dict, args) -> list[dict]:
    rows = []
    for spec in progress(FEATURES, desc="separation"):
        fmap = feature_map(spec)
        n = min(len(V), args.normal_limit) if spec in LIMITED else len(V)
        t0 = time.perf_counter()
        F = fmap.transform(V[:n])
        row = {
            "features": spec,
            "n_features": int(F.shape[1]),
            "entries": n,
            "exact": bool(getattr(fmap, "exact_", True)),
            "h11_ceiling": accuracy_ceiling(F, h11[:n]),
        }
        for gname, imgs in images.items():
            rep = image_separation(V[:n], fmap, get_group(gname), rng=0, images=imgs[:n])
            row[gname] = {
                k: rep.to_dict()[k]
                for k in (
                    "colliding_orbits",
                    "collision_share",
                    "collision_classes",
                    "largest_collision_class",
                    "changed",
                    "changed_share",
                    "non_constant_orbits",
                )
            }
        # collisions among the entries themselves (no images): what a model on the data sees
        from orbitlearn.stats import orbit_separation

        own = orbit_separation(F, np.arange(n))
        row["own"] = {
            "colliding_orbits": own.colliding_orbits,
            "collision_share": own.collision_share,
            "largest_collision_class": own.largest_collision_class,
        }
        row["seconds"] = time.perf_counter() - t0
        rows.append(row)
    return rows


# --------------------------------------------------------------------------- 3. models


def run_models(data, args, ceilings: dict) -> list[dict]:
    from sklearn.ensemble import RandomForestClassifier

    V, y = data.vertices, data.y
    split = data.split(0)
    rng = np.random.default_rng(args.seed)
    train = np.sort(
        rng.choice(split.train, size=min(args.train_size, len(split.train)), replace=False)
    )
    test = split.test
    inv_rows = np.sort(rng.choice(test, size=min(args.invariance_size, len(test)), replace=False))
    majority = float((y[test] == np.bincount(y[train]).argmax()).mean())
    rows = []
    for spec in progress(MODEL_FEATURES, desc="models"):
        fmap = feature_map(spec)
        t0 = time.perf_counter()
        if spec in LIMITED:
            n_train = min(len(train), args.normal_limit)
            tr = np.sort(rng.choice(train, size=n_train, replace=False))
            te = np.sort(
                rng.choice(test, size=min(len(test), args.normal_limit // 2), replace=False)
            )
        else:
            tr, te = train, test
        Ftr, Fte = fmap.transform(V[tr]), fmap.transform(V[te])
        model = RandomForestClassifier(
            n_estimators=args.trees, min_samples_leaf=1, n_jobs=2, random_state=args.seed
        )
        model.fit(Ftr.astype(np.float64), y[tr])
        acc = float((model.predict(Fte.astype(np.float64)) == y[te]).mean())
        row = {
            "features": spec,
            "model": f"RandomForest({args.trees} trees)",
            "train": int(len(tr)),
            "test": int(len(te)),
            "test_accuracy": acc,
            "test_ceiling": accuracy_ceiling(Fte, y[te]),
            "h11_ceiling_all_entries": ceilings[spec],
            "train_accuracy": float((model.predict(Ftr.astype(np.float64)) == y[tr]).mean()),
        }

        def prepare(x, fmap=fmap):
            return fmap.transform(x).astype(np.float64)

        for gname in ("s4xs26", "gl4z"):
            rows_inv = inv_rows[: args.normal_limit // 4] if spec in LIMITED else inv_rows
            r = label_invariance_test(
                model, V[rows_inv], y[rows_inv], get_group(gname), rng=args.seed, prepare=prepare
            )
            row[gname] = {
                k: r.to_dict()[k]
                for k in (
                    "n",
                    "score_original",
                    "score_transformed",
                    "effect",
                    "ci_low",
                    "ci_high",
                    "p_value",
                    "changed_predictions",
                )
            }
        row["seconds"] = time.perf_counter() - t0
        rows.append(row)
    return [{"majority_baseline_test_accuracy": majority}] + rows


# --------------------------------------------------------------------------- report


def pct(x: float) -> str:
    return f"{100 * x:.2f}%"


def write_markdown(res: dict, path: Path) -> None:
    m = res["machine"]
    c = res["config"]
    L = ["# Probabilistic symmetry on KS v26", ""]
    L.append(
        f"Data: {res['entries']} entries of {c['path']}. Every number below comes from "
        f"`python benchmarks/stats_v26.py` (seed {c['seed']}); total {res['seconds']:.0f} s."
    )
    L += ["", "## 1. Exchangeability (paired swap test, H0: V =d g·V)", ""]
    L.append(
        f"{c['max_samples']} random entries per test, B = {c['resamples']} swap resamples "
        f"(smallest possible p = {1 / (c['resamples'] + 1):.4f}); MMD with a Gaussian kernel, "
        "median-heuristic bandwidth; energy distance alongside."
    )
    L += [
        "",
        "| axis | data | statistic | value | null mean | null q99 | p-value |",
        "|---|---|---|---:|---:|---:|---:|",
    ]
    for r in res["exchangeability"]:
        L.append(
            f"| {r['axis']} | {r['data']} | {r['statistic_name']} | {r['statistic']:.4g} | "
            f"{r['null_mean']:.3g} | {r['null_quantiles']['q99']:.3g} | {r['p_value']:.4f} |"
        )
    L += ["", "## 2. Orbit separation and invariance", ""]
    L.append(
        "Features on every entry and on one random image of it (orbit id = entry). *collide*: "
        "share of entries whose features equal another entry's (on entries and images pooled); "
        "*changed*: share whose features differ on the image (0 = invariant). "
        "*own*: collisions among the entries alone. *ceiling*: best h11 accuracy of any function of the features."
    )
    L += [
        "",
        "| features | dims | entries | own collide | largest class | S4×S26 collide | S4×S26 changed | GL(4,Z) collide | GL(4,Z) changed | h11 ceiling |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in res["separation"]:
        s, g = r["s4xs26"], r["gl4z"]
        L.append(
            f"| {r['features']} | {r['n_features']} | {r['entries']} | {pct(r['own']['collision_share'])} | "
            f"{r['own']['largest_collision_class']} | {pct(s['collision_share'])} | {pct(s['changed_share'])} | "
            f"{pct(g['collision_share'])} | {pct(g['changed_share'])} | {pct(r['h11_ceiling'])} |"
        )
    L += ["", "## 3. Models on each feature map (seed-0 split)", ""]
    base = res["models"][0]["majority_baseline_test_accuracy"]
    L.append(
        f"Random forest ({c['trees']} trees) on a {c['train_size']}-entry subsample of the training part, "
        f"tested on the test part (normal form and dets: smaller samples, see n). Majority class: {pct(base)}. "
        "Drop: accuracy on test entries minus accuracy on random images of them (features recomputed "
        "on the image), 95% interval, exact McNemar p."
    )
    L += [
        "",
        "| features | train | test | test acc | ceiling (all entries) | S4×S26 drop [95% CI] | p | GL(4,Z) drop [95% CI] | p |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in res["models"][1:]:
        s, g = r["s4xs26"], r["gl4z"]
        L.append(
            f"| {r['features']} | {r['train']} | {r['test']} | {pct(r['test_accuracy'])} | {pct(r['h11_ceiling_all_entries'])} | "
            f"{100 * s['effect']:.1f} [{100 * s['ci_low']:.1f}, {100 * s['ci_high']:.1f}] | {s['p_value']:.2g} | "
            f"{100 * g['effect']:.1f} [{100 * g['ci_low']:.1f}, {100 * g['ci_high']:.1f}] | {g['p_value']:.2g} |"
        )
    L += ["", "## Machine", ""]
    L += machine_lines(m)
    path.write_text("\n".join(L) + "\n")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--path", default=None, help="KS file (default $ORBITLEARN_DATA/ks/v26.gz)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--resamples", type=int, default=999)
    p.add_argument("--max-samples", type=int, default=2000)
    p.add_argument("--control-seeds", type=int, default=3)
    p.add_argument(
        "--normal-limit", type=int, default=8000, help="entries for the slower normal and dets maps"
    )
    p.add_argument("--train-size", type=int, default=20000)
    p.add_argument("--invariance-size", type=int, default=2000)
    p.add_argument("--trees", type=int, default=100)
    p.add_argument("--limit", type=int, default=None, help="only the first N entries (smoke runs)")
    p.add_argument("--out", default=str(OUT))
    args = p.parse_args()
    path = args.path or str(Path(os.environ.get("ORBITLEARN_DATA", "")) / "ks" / "v26.gz")
    t_all = time.perf_counter()
    machine = machine_info()
    data = load_ks(path)
    if args.limit:
        data = data.subset(np.arange(min(args.limit, len(data))))
    V = data.vertices
    rng = np.random.default_rng(args.seed)
    images = {}
    for gname in ("s4xs26", "gl4z"):
        g = get_group(gname)
        images[gname] = g.act_batch(g.sample(len(V), rng), V)
    res = {
        "config": {**vars(args), "path": path},
        "machine": machine,
        "entries": len(V),
        "exchangeability": run_exchangeability(V, args),
    }
    res["separation"] = run_separation(V, data.h11, images, args)
    ceilings = {r["features"]: r["h11_ceiling"] for r in res["separation"]}
    res["models"] = run_models(data, args, ceilings)
    res["seconds"] = time.perf_counter() - t_all
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(res, indent=1) + "\n")
    write_markdown(res, out / "results.md")


if __name__ == "__main__":
    main()
