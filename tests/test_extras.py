"""The optional dependencies: one table, each entry an extra that pyproject.toml defines, and one
user error naming it when the dependency is missing."""

import sys
from pathlib import Path

import pytest

from orbitlearn.errors import OrbitlearnError
from orbitlearn.extras import (
    OPTIONAL_EXTRAS,
    import_optional,
    missing_extra_text,
    require_installed,
)

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def test_every_extra_named_is_defined_in_pyproject_and_lists_its_module():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    extras = tomllib.loads(PYPROJECT.read_text())["project"]["optional-dependencies"]
    pip_name = {"sklearn": "scikit-learn", "distributed": "dask[distributed]"}
    for module, extra in OPTIONAL_EXTRAS.items():
        assert extra in extras, (module, extra)
        wanted = pip_name.get(module, module)
        assert any(req.startswith(wanted) for req in extras[extra]), (module, extras[extra])


@pytest.mark.parametrize("module", ["e2cnn", "e3nn", "pyarrow"])
def test_a_missing_optional_module_is_one_user_error_naming_its_extra(monkeypatch, module):
    monkeypatch.setitem(sys.modules, module, None)  # import now raises ModuleNotFoundError
    with pytest.raises(OrbitlearnError) as err:
        import_optional(module, "the thing")
    text = str(err.value)
    assert text == (
        f"the thing needs {module}, an optional dependency: "
        f"pip install 'orbitlearn[{OPTIONAL_EXTRAS[module]}]'"
    )
    with pytest.raises(OrbitlearnError, match=r"orbitlearn\["):
        require_installed(module, "the thing")


def test_a_missing_submodule_dependency_names_the_module_that_is_missing(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    monkeypatch.delitem(sys.modules, "dask.distributed", raising=False)
    with pytest.raises(OrbitlearnError, match=r"--cluster needs distributed, .*orbitlearn\[dist\]"):
        import_optional("dask.distributed", "--cluster")


def test_modules_that_are_not_optional_are_not_given_an_extra():
    assert missing_extra_text("numpy") is None
    assert missing_extra_text(None) is None
    with pytest.raises(KeyError):
        require_installed("surely_no_such_module_here", "x")


def test_installed_optional_modules_import():
    assert import_optional("torch", "x").__name__ == "torch"
    require_installed("torch", "x")
