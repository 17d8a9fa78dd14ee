r"""Figures for the book and for readers' own notebooks (needs matplotlib).

Every function draws on a given ``ax`` (or makes one) and returns what it drew,
so a chapter composes figures from these pieces instead of pasting plot code.

>>> import matplotlib
>>> matplotlib.use("Agg")
>>> from smoothopt import objectives, plotting
>>> ax = plotting.landscape(objectives.get("wavy_bowl"))
>>> ax.get_title()
'wavy_bowl'
"""

from __future__ import annotations

import numpy as np

from ._checks import count

try:
    import matplotlib.pyplot as plt
    from matplotlib import animation as _animation
except ImportError as exc:  # pragma: no cover
    raise ImportError(
        "smoothopt.plotting needs matplotlib: pip install matplotlib (or '.[plot]' from the clone)"
    ) from exc

__all__ = [
    "grid",
    "landscape",
    "paths",
    "curve",
    "surface",
    "animate",
    "smoothing_teaser",
    "PATH_COLORS",
]

#: A colour cycle that stays distinguishable in greyscale and for colour-blind readers.
PATH_COLORS = ["#d62728", "#ff7f0e", "#1f77b4", "#2ca02c", "#9467bd", "#8c564b", "#e377c2"]


def grid(f, bounds=None, resolution=200, sigma=None):
    """Evaluate ``f`` (or its exact smoothing at ``sigma``) on a 2-D grid.

    Returns ``X, Y, Z`` with ``Z[i, j] = f([X[i, j], Y[i, j]])``.
    """
    bounds = np.asarray(f.bounds if bounds is None else bounds, dtype=float)
    resolution = count(resolution, "resolution", 2)
    xs = np.linspace(*bounds[0], resolution)
    ys = np.linspace(*bounds[1], resolution)
    X, Y = np.meshgrid(xs, ys)
    pts = np.stack([X, Y], axis=-1)
    Z = f(pts) if sigma is None else f.smoothed(pts, sigma)
    return X, Y, np.asarray(Z, dtype=float)


def landscape(
    f,
    ax=None,
    *,
    bounds=None,
    resolution=200,
    levels=30,
    sigma=None,
    cmap="viridis",
    colorbar=True,
    minimizers=True,
    title=None,
    Z=None,
):
    r"""Filled contours of a 2-D objective with its known minimizers marked.

    Parameters
    ----------
    f : Objective
        A 2-D objective.
    ax : matplotlib Axes, optional
    bounds : array_like, shape (2, 2), optional
        Window; default ``f.bounds``.
    resolution : int
        Grid points per axis.
    levels : int or array_like
        Contour levels.
    sigma : float, optional
        Draw the exact smoothing :math:`f_\sigma` instead of ``f``.
    cmap : str
        A perceptually uniform map (default viridis) survives greyscale.
    colorbar, minimizers : bool
    title : str, optional
    Z : ndarray, optional
        Precomputed values on the grid (for surfaces ``f`` cannot evaluate itself).

    Returns
    -------
    matplotlib Axes
    """
    if getattr(f, "dim", 2) != 2:
        raise ValueError(f"'f' must be 2-D for a landscape, got d = {f.dim}; use curve().")
    if ax is None:
        _, ax = plt.subplots(figsize=(5.2, 4.3))
    X, Y, Zf = grid(f, bounds, resolution, sigma)
    if Z is not None:
        Zf = Z
    cs = ax.contourf(X, Y, Zf, levels=levels, cmap=cmap)
    ax.contour(X, Y, Zf, levels=cs.levels, colors="k", linewidths=0.25, alpha=0.4)
    if colorbar:
        ax.figure.colorbar(cs, ax=ax, label=r"$f_\sigma$" if sigma else "$f$")
    if minimizers and f.minimizers is not None:
        m = f.minimizers
        lo, hi = X.min(), X.max()
        lo2, hi2 = Y.min(), Y.max()
        inside = (m[:, 0] >= lo) & (m[:, 0] <= hi) & (m[:, 1] >= lo2) & (m[:, 1] <= hi2)
        ax.plot(m[inside, 0], m[inside, 1], "*", color="white", markeredgecolor="k",
                markersize=14, label="global minimizer", zorder=5)
    ax.set_xlabel("$x$")
    ax.set_ylabel("$y$")
    ax.set_aspect("equal", adjustable="box")
    if title is None:
        title = f.name if sigma is None else rf"{f.name}, smoothed with $\sigma = {sigma:g}$"
    ax.set_title(title)
    return ax


def paths(path, ax, *, color=None, label=None, every=1, lw=1.3, markers=True, alpha=0.9):
    """Draw optimization paths over a landscape.

    Parameters
    ----------
    path : array_like, shape (steps + 1, ..., 2)
        As in :attr:`smoothopt.Result.path`.
    ax : matplotlib Axes
    color : str or list of str, optional
        One colour for all paths or one per run (default: :data:`PATH_COLORS`).
    label : str, optional
        Legend label (given once).
    every : int
        Draw every ``every``-th iterate.
    markers : bool
        Mark starts (circle) and ends (cross).

    Returns
    -------
    list of Line2D
    """
    p = np.asarray(path, dtype=float)
    if p.ndim < 2 or p.shape[-1] != 2:
        raise ValueError(f"'path' must have shape (steps + 1, ..., 2), got {p.shape}.")
    p = p.reshape(p.shape[0], -1, 2)[::every]
    runs = p.shape[1]
    colors = color if isinstance(color, (list, tuple)) else [color] * runs
    lines = []
    for i in range(runs):
        c = colors[i % len(colors)] or PATH_COLORS[i % len(PATH_COLORS)]
        (line,) = ax.plot(p[:, i, 0], p[:, i, 1], "-", color=c, lw=lw, alpha=alpha,
                          label=label if i == 0 else None)
        lines.append(line)
        if markers:
            ok = np.all(np.isfinite(p[:, i]), axis=-1)
            if ok.any():
                last = p[np.nonzero(ok)[0][-1], i]
                ax.plot(*p[0, i], "o", color=c, markeredgecolor="k", markersize=6)
                ax.plot(*last, "X", color=c, markeredgecolor="k", markersize=8)
    return lines


def curve(f, ax=None, *, bounds=None, resolution=1000, sigmas=(), minimizers=True, title=None):
    r"""Plot a 1-D objective, optionally with its exact smoothings.

    Parameters
    ----------
    f : Objective
        A 1-D objective.
    sigmas : sequence of float
        Also draw :math:`f_\sigma` for each.

    Returns
    -------
    matplotlib Axes
    """
    if getattr(f, "dim", 1) != 1:
        raise ValueError(f"'f' must be 1-D for a curve, got d = {f.dim}; use landscape().")
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.6))
    b = np.asarray(f.bounds if bounds is None else bounds, dtype=float).reshape(-1)
    xs = np.linspace(b[0], b[1], count(resolution, "resolution", 2))[:, None]
    ax.plot(xs[:, 0], f(xs), color="k", lw=1.5, label="$f$")
    cmap = plt.get_cmap("viridis")
    for i, s in enumerate(sigmas):
        ax.plot(xs[:, 0], f.smoothed(xs, s), lw=1.6, color=cmap(0.15 + 0.7 * i / max(1, len(sigmas) - 1)),
                label=rf"$f_\sigma$, $\sigma = {s:g}$")
    if minimizers and f.minimizers is not None:
        m = f.minimizers
        ax.plot(m[:, 0], f(m), "*", color="white", markeredgecolor="k", markersize=14,
                label="global minimizer", zorder=5)
    ax.set_xlabel("$x$")
    ax.set_ylabel("$f(x)$")
    ax.set_title(f.name if title is None else title)
    ax.legend(fontsize="small")
    return ax


def surface(f, ax=None, *, bounds=None, resolution=120, sigma=None, cmap="viridis", title=None):
    """A 3-D surface of a 2-D objective.

    Returns
    -------
    matplotlib 3-D Axes
    """
    if ax is None:
        fig = plt.figure(figsize=(5.5, 4.5))
        ax = fig.add_subplot(projection="3d")
    X, Y, Z = grid(f, bounds, resolution, sigma)
    ax.plot_surface(X, Y, Z, cmap=cmap, linewidth=0, antialiased=True, alpha=0.9)
    ax.set_xlabel("$x$")
    ax.set_ylabel("$y$")
    ax.set_zlabel("$f$")
    ax.set_title(f.name if title is None else title)
    return ax


# matplotlib's to_jshtml links Font Awesome from a CDN for its button icons; the book must load
# nothing from other hosts, so drop the link and draw the icons as plain Unicode glyphs.
_FA_GLYPHS = {
    "fa fa-minus": "&#8722;", "fa fa-plus": "+", "fa fa-fast-backward": "&#10073;&#9664;&#9664;",
    "fa fa-fast-forward": "&#9654;&#9654;&#10073;", "fa fa-step-backward": "&#10073;&#9664;",
    "fa fa-step-forward": "&#9654;&#10073;", "fa fa-play fa-flip-horizontal": "&#9664;",
    "fa fa-play": "&#9654;", "fa fa-pause": "&#10073;&#10073;",
}


def _offline(html):
    import re

    html = re.sub(r'<link rel="stylesheet"\s+href="https?://[^"]*font-awesome[^"]*">', "", html)
    for cls, glyph in _FA_GLYPHS.items():
        html = html.replace(f'<i class="{cls}"></i>', glyph)
    return html


def animate(fig, update, frames, *, interval=150, default_mode="once"):
    """Animate ``fig`` and return it as static JavaScript (``to_jshtml``).

    The published site has no kernel, so sliders over a step index, a step size
    or ``sigma`` become these self-contained animations. The figure is closed so
    the notebook does not also show it as a still image.

    Parameters
    ----------
    fig : matplotlib Figure
    update : callable
        ``update(frame)`` redraws the figure for one frame.
    frames : int or iterable
        Frame count or the frame values passed to ``update``.
    interval : int
        Milliseconds between frames.

    Returns
    -------
    IPython.display.HTML if IPython is available, else the HTML string.
    """
    anim = _animation.FuncAnimation(fig, update, frames=frames, interval=interval)
    html = _offline(anim.to_jshtml(default_mode=default_mode))
    plt.close(fig)
    try:
        from IPython.display import HTML
    except ImportError:  # pragma: no cover
        return html
    return HTML(html)


def smoothing_teaser(f=None, starts=None, *, sigma=0.5, lr=0.01, steps=400):
    r"""The book's opening picture: descent on ``f`` next to descent on :math:`f_\sigma`.

    Runs :func:`smoothopt.minimize` with plain gradient descent from ``starts`` on
    ``f`` and, with the exact smoothed gradient, on :math:`f_\sigma`, and draws
    both sets of paths over the two landscapes.

    Returns
    -------
    fig : matplotlib Figure
    plain, smoothed : Result
        The two runs, so a caller can check what the picture shows.
    """
    from . import objectives, optimizers
    from .driver import minimize

    f = objectives.get("wavy_bowl") if f is None else f
    if starts is None:
        starts = np.array([[-0.5, 0.0], [0.0, 2.6], [2.6, -0.5], [1.0, 0.6]])
    plain = minimize(f, starts, optimizers.sgd(lr), steps=steps)
    smoothed = minimize(f, starts, optimizers.sgd(lr), steps=steps,
                        grad=lambda x, rng: f.smoothed_grad(x, sigma))
    fig, axes = plt.subplots(1, 2, figsize=(10.5, 4.3), layout="constrained")
    landscape(f, axes[0], colorbar=False, title="gradient descent on $f$")
    paths(plain.path, axes[0])
    landscape(f, axes[1], sigma=sigma, colorbar=False,
              title=rf"gradient descent on $f_\sigma$, $\sigma = {sigma:g}$")
    paths(smoothed.path, axes[1])
    return fig, plain, smoothed
