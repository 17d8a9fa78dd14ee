"""Packaging: licence, metadata, the numpy bound, the public modules and the type hints."""

from __future__ import annotations

import hashlib
import importlib
import pathlib
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import pytest

import smoothopt

ROOT = pathlib.Path(__file__).resolve().parents[1]
try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    tomllib = None


def _pyproject():
    if tomllib is None:
        pytest.skip("tomllib needs Python 3.11")
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_licence_and_metadata():
    assert (ROOT / "LICENSE").read_text().startswith("BSD 3-Clause License")
    project = _pyproject()["project"]
    assert project["license"] == {"text": "BSD-3-Clause"}
    assert project["readme"] == "README.md"
    assert "License :: OSI Approved :: BSD License" in project["classifiers"]
    # the PyPI name "smoothopt" belongs to another project; the import name stays smoothopt
    assert project["name"] == "smoothopt-book"


def test_numpy_lower_bound_is_declared_and_met():
    deps = _pyproject()["project"]["dependencies"]
    assert deps == ["numpy>=1.22"]
    major, minor = (int(p) for p in np.__version__.split(".")[:2])
    assert (major, minor) >= (1, 22)


def test_nothing_tells_a_user_to_install_smoothopt_from_the_index():
    readme = (ROOT / "README.md").read_text()
    assert "pip install smoothopt" not in readme
    assert "pip install ." in readme and "wheel" in readme


def test_every_public_module_is_an_attribute():
    for name in ("analysis", "estimators", "heuristics", "objectives", "optimizers", "smoothing",
                 "variational", "mlp"):
        assert isinstance(getattr(smoothopt, name), type(smoothopt))
    assert smoothopt.mlp.MLP is importlib.import_module("smoothopt.mlp").MLP


def test_plotting_is_imported_on_first_use():
    code = ("import sys, smoothopt; assert 'matplotlib' not in sys.modules; "
            "smoothopt.plotting; assert 'matplotlib' in sys.modules")
    subprocess.run([sys.executable, "-W", "error", "-c", code], check=True, cwd=ROOT)


def test_py_typed_ships():
    assert (ROOT / "smoothopt" / "py.typed").exists()
    data = _pyproject()["tool"]["setuptools"]["package-data"]
    assert "py.typed" in data["smoothopt"]


def test_a_learner_script_passes_mypy_strict(tmp_path):
    pytest.importorskip("mypy")
    script = tmp_path / "learner.py"
    shutil.copy(ROOT / "tests" / "data" / "learner_script.py", script)
    # As for an installed package with py.typed: smoothopt is analysed (its hints are used)
    # but errors inside it are not the learner's, so they are not reported.
    # mypy's cache outlives the test (in the system's temp dir), so a rerun takes seconds
    cache = pathlib.Path(tempfile.gettempdir()) / f"smoothopt-mypy-{hashlib.md5(str(ROOT).encode()).hexdigest()[:12]}"
    (tmp_path / "mypy.ini").write_text(
        f"[mypy]\nstrict = True\nmypy_path = {ROOT}\ncache_dir = {cache}\n"
        "[mypy-smoothopt.*]\nfollow_imports = silent\n"
    )
    out = subprocess.run([sys.executable, "-m", "mypy", "--config-file", "mypy.ini", "learner.py"],
                         capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    run = subprocess.run([sys.executable, "-W", "error", "learner.py"], capture_output=True,
                         text=True, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
