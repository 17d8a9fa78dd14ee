"""Plotting helpers: each test checks what was drawn, not only that nothing crashed."""

from __future__ import annotations

import re

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from smoothopt import minimize, objectives, optimizers, plotting  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _marker_line(ax):
    lines = [ln for ln in ax.get_lines() if ln.get_label() == "global minimizer"]
    assert len(lines) == 1
    return lines[0]


def test_landscape_marks_the_minimizers_where_they_are():
    f = objectives.get("ripple")  # eight minimizers on a ring of radius 3 pi / 2
    ax = plotting.landscape(f, resolution=60)
    line = _marker_line(ax)
    np.testing.assert_array_equal(line.get_xdata(), f.minimizers[:, 0])
    np.testing.assert_array_equal(line.get_ydata(), f.minimizers[:, 1])
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title() == "ripple"
    # A window holding only the right half marks only the minimizers inside it.
    ax2 = plotting.landscape(f, bounds=[[1, 6], [-6, 6]], resolution=40)
    inside = f.minimizers[f.minimizers[:, 0] >= 1]
    np.testing.assert_allclose(_marker_line(ax2).get_xdata(), inside[:, 0])
    np.testing.assert_allclose(_marker_line(ax2).get_ydata(), inside[:, 1])
    assert len(inside) == 3  # the ring points at -45, 0 and 45 degrees


def test_landscape_contours_span_the_values_of_f():
    f = objectives.get("wavy_bowl")
    X, Y, Z = plotting.grid(f, resolution=50)
    np.testing.assert_array_equal(Z, f(np.stack([X, Y], axis=-1)))
    assert X.min() == f.bounds[0, 0] and Y.max() == f.bounds[1, 1]
    ax = plotting.landscape(f, resolution=50, sigma=0.3)
    # The filled contour levels cover the range of the smoothed surface, not of f.
    Zs = f.smoothed(np.stack([X, Y], axis=-1), 0.3)
    cs = [c for c in ax.collections if hasattr(c, "levels")][0]
    assert cs.levels.min() <= Zs.min() and cs.levels.max() >= Zs.max()
    assert cs.levels.min() > Z.min()  # smoothing lifted the floor (f_sigma >= min f)
    assert "0.3" in ax.get_title()


def test_landscape_refuses_a_1d_objective():
    with pytest.raises(ValueError, match="'f' must be 2-D"):
        plotting.landscape(objectives.get("sinc"))


def test_paths_draws_one_line_per_run_with_its_data():
    f = objectives.get("wavy_bowl")
    x0 = np.array([[[0.0, 0.0], [1.0, 2.5]], [[2.5, -0.5], [-0.5, 1.0]], [[1.5, 1.5], [2.9, 2.9]]])
    res = minimize(f, x0, optimizers.sgd(0.01), steps=25)  # path (26, 3, 2, 2)
    _, ax = plt.subplots()
    lines = plotting.paths(res.path, ax, label="sgd")
    assert len(lines) == 6
    flat = res.path.reshape(26, 6, 2)
    for i, line in enumerate(lines):
        np.testing.assert_array_equal(line.get_xdata(), flat[:, i, 0])
        np.testing.assert_array_equal(line.get_ydata(), flat[:, i, 1])
    assert [ln.get_label() for ln in lines].count("sgd") == 1  # the legend names it once
    # every=5 keeps iterates 0, 5, ..., 25
    lines5 = plotting.paths(res.path, ax, every=5, markers=False)
    np.testing.assert_array_equal(lines5[0].get_xdata(), flat[::5, 0, 0])


def test_paths_of_a_diverged_run_mark_its_last_finite_point():
    path = np.array([[[0.0, 0.0]], [[1.0, 1.0]], [[np.nan, np.nan]]])
    _, ax = plt.subplots()
    plotting.paths(path, ax)
    end = [ln for ln in ax.get_lines() if ln.get_marker() == "X"]
    assert len(end) == 1
    np.testing.assert_array_equal(end[0].get_xydata(), [[1.0, 1.0]])


def test_curve_draws_f_and_each_smoothing():
    f = objectives.get("wiggly_parabola")
    ax = plotting.curve(f, sigmas=(0.05, 0.2), resolution=300)
    lines = {ln.get_label(): ln for ln in ax.get_lines()}
    xs = np.linspace(*f.bounds[0], 300)
    np.testing.assert_allclose(lines["$f$"].get_ydata(), f(xs[:, None]))
    smoothed = [ln for label, ln in lines.items() if "sigma" in label]
    assert len(smoothed) == 2
    np.testing.assert_allclose(smoothed[1].get_ydata(), f.smoothed(xs[:, None], 0.2))
    np.testing.assert_allclose(_marker_line(ax).get_xdata(), f.minimizers[:, 0])
    assert ax.get_legend() is not None


def test_surface_draws_the_grid():
    f = objectives.get("easom")
    ax = plotting.surface(f, resolution=30)
    assert ax.name == "3d" and ax.get_title() == "easom"
    assert len(ax.collections) == 1


def test_animate_returns_html_with_every_frame():
    fig, ax = plt.subplots(figsize=(2, 2), dpi=40)
    (line,) = ax.plot([0, 1], [0, 1])
    called = []

    def update(i):
        called.append(i)
        line.set_ydata([0, i])
        return (line,)

    out = plotting.animate(fig, update, frames=6)
    html = getattr(out, "data", out)
    assert isinstance(html, str)
    frames = re.findall(r'frames\[(\d+)\] = "data:image/png;base64,([^"]+)"', html)
    assert [int(i) for i, _ in frames] == list(range(6))
    assert len({data for _, data in frames}) == 6  # every frame drawn differently
    assert set(range(6)) <= set(called)
    assert not plt.fignum_exists(fig.number)  # closed, so the notebook shows no still copy
