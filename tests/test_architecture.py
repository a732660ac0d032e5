"""The shape of the package: no import cycles, a fast CLI start, public names with docstrings."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "orbitlearn"


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def import_graph() -> dict[str, set[str]]:
    """module -> the orbitlearn modules it imports anywhere in its body (lazy imports included).

    `from orbitlearn.a import b` is an edge to orbitlearn.a.b when that is a module, else to
    orbitlearn.a. The implicit import of a parent package by Python is not an edge.
    """
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        edges: set[str] = set()
        is_package = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                edges |= {a.name for a in node.names if a.name in modules}
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = name.split(".") if is_package else name.split(".")[:-1]
                    base = base[: len(base) - (node.level - 1)]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                if not target.startswith("orbitlearn"):
                    continue
                for alias in node.names:
                    sub = f"{target}.{alias.name}"
                    edges.add(sub if sub in modules else target)
        graph[name] = {e for e in edges if e in modules and e != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10_000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycles():
    found = cycles(import_graph())
    assert not found, f"import cycles: {found}"


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


@pytest.mark.parametrize("args", [["--version"], ["--help"]])
def test_cli_start_imports_no_heavy_library(args):
    code = (
        "import sys\n"
        "from orbitlearn.cli import main\n"
        f"try:\n    main({args!r})\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('torch', 'sklearn', 'numba', 'matplotlib', 'scipy') "
        "if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def _public_definitions() -> list[tuple[Path, ast.AST, str]]:
    """(file, node, qualified name) of every public module, class, function and method."""
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).parts
        if any(p.startswith("_") and p != "__init__.py" for p in rel):
            continue  # private modules and packages
        tree = ast.parse(path.read_text())
        out.append((path, tree, "<module>"))
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and not node.name.startswith("_"):
                out.append((path, node, node.name))
                if isinstance(node, ast.ClassDef):
                    out += [
                        (path, sub, f"{node.name}.{sub.name}")
                        for sub in node.body
                        if isinstance(sub, ast.FunctionDef) and not sub.name.startswith("_")
                    ]
    return out


def _documented_methods() -> dict[str, tuple[list[str], dict[str, bool]]]:
    """Every class of the package (private ones too): its bases and which methods have docstrings."""
    classes = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.parse(path.read_text()).body:
            if not isinstance(node, ast.ClassDef):
                continue
            bases = [getattr(b, "id", getattr(b, "attr", "")) for b in node.bases]
            methods = {
                s.name: bool(ast.get_docstring(s))
                for s in node.body
                if isinstance(s, ast.FunctionDef)
            }
            classes[node.name] = (bases, methods)
    return classes


def test_every_public_name_has_a_docstring():
    """Modules, classes, functions and methods; an override may inherit its base's docstring
    (the API reference shows the inherited one), torch's `forward` is described by its class."""
    classes = _documented_methods()

    def inherited(cls: str, method: str) -> bool:
        for base in classes.get(cls, ([], {}))[0]:
            if base == "Module" and method == "forward":
                return True
            if base in classes and (classes[base][1].get(method) or inherited(base, method)):
                return True
        return False

    missing = []
    for path, node, name in _public_definitions():
        if ast.get_docstring(node):  # type: ignore[arg-type]
            continue
        cls, _, method = name.partition(".")
        if method and inherited(cls, method):
            continue
        missing.append(f"{path.relative_to(SRC)}: {name}")
    assert not missing, "public names without a docstring:\n" + "\n".join(missing)


def test_every_package_exports_its_public_api():
    """Each package's __all__ names what it offers, and every name resolves."""
    import importlib

    for init in sorted(PACKAGE.rglob("__init__.py")):
        if any(p.startswith("_") for p in init.parent.relative_to(SRC).parts):
            continue  # private packages
        name = _module_name(init)
        module = importlib.import_module(name)
        assert hasattr(module, "__all__"), f"{name} has no __all__"
        for export in module.__all__:
            getattr(module, export)


#: the general library: it knows no application's data, shapes, labels or names
CORE = ("groups", "nn", "models", "train", "canon", "stats")
CORE_FILES = ("symmetry.py", "testing.py", "averaging.py", "augment.py")
#: what only an application may name (the Kreuzer–Skarke data, its shape, labels and groups)
APPLICATION_WORDS = re.compile(r"s4xs26|gl4z|KS_SHAPE|\bh11\b|\bh21\b|kreuzer", re.IGNORECASE)


def _core_files() -> list[Path]:
    files = [p for d in CORE for p in sorted((PACKAGE / d).rglob("*.py"))]
    return files + [PACKAGE / f for f in CORE_FILES if (PACKAGE / f).exists()]


def _is_core(module: str) -> bool:
    parts = module.split(".")
    return len(parts) > 1 and (parts[1] in CORE or f"{parts[1]}.py" in CORE_FILES)


def test_the_core_names_no_application():
    """No core file (docstrings and comments included) names the KS data, shape, labels or groups."""
    found = [
        f"{path.relative_to(SRC)}:{i}: {line.strip()}"
        for path in _core_files()
        for i, line in enumerate(path.read_text().splitlines(), 1)
        if APPLICATION_WORDS.search(line)
    ]
    assert not found, "application names in the core:\n" + "\n".join(found)


def test_the_core_imports_no_application_and_geometry_no_private_reader():
    bad = []
    for module, edges in import_graph().items():
        for target in edges:
            if _is_core(module) and target.startswith("orbitlearn.apps"):
                bad.append(f"{module} -> {target}")
            private = (
                target.startswith("orbitlearn.datasets.") and target.rsplit(".", 1)[1][0] == "_"
            )
            if module.startswith("orbitlearn.geometry") and private:
                bad.append(f"{module} -> {target}")
    assert not bad, "imports across the layers:\n" + "\n".join(bad)


def test_the_layer_checks_catch_what_they_forbid():
    assert APPLICATION_WORDS.search('DEFAULT = "S4xS26"') and APPLICATION_WORDS.search(
        "the H11 label"
    )
    assert not APPLICATION_WORDS.search("h110 or gl4 or kreuz")
    assert _is_core("orbitlearn.models.pipeline") and _is_core("orbitlearn.symmetry")
    assert not _is_core("orbitlearn.apps.ks.bench") and not _is_core("orbitlearn.geometry.batch")
