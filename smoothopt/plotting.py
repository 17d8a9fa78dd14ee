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

import re

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
    "OKABE_ITO",
    "PATH_COLORS",
    "CYCLE",
    "BOOK_STYLE",
]

#: The Okabe–Ito palette (Okabe & Ito 2008), designed to stay apart for colour-blind readers.
#: tests/test_plotting_palette.py computes what is claimed below: under simulated protanopia,
#: deuteranopia and tritanopia (Machado et al. 2009, severity 1) every pair of the seven colours
#: used here stays at least 15 CIELAB units apart.
OKABE_ITO = {
    "vermillion": "#D55E00",
    "orange": "#E69F00",
    "blue": "#0072B2",
    "bluish green": "#009E73",
    "reddish purple": "#CC79A7",
    "sky blue": "#56B4E9",
    "black": "#000000",
    "yellow": "#F0E442",
}

#: Colours of optimization paths (red-ish, orange, blue, green, ... as the prose names them).
#: The first three also differ in lightness (L* 54, 71, 46), so they stay apart in greyscale.
PATH_COLORS = [OKABE_ITO[k] for k in ("vermillion", "orange", "blue", "bluish green",
                                      "reddish purple", "sky blue", "black")]

#: The default line colours of the book's figures (``axes.prop_cycle``), in matplotlib's hue
#: order (blue, orange, green, red, ...), so "the blue line" still means the first one. The first
#: three differ in lightness (L* 46, 71, 58).
CYCLE = [OKABE_ITO[k] for k in ("blue", "orange", "bluish green", "vermillion",
                                "reddish purple", "sky blue", "black")]


def _cycler():
    from cycler import cycler

    return cycler(color=CYCLE)


#: The matplotlib settings of every chapter's setup cell (``plt.rcParams.update(BOOK_STYLE)``):
#: figures 100 px per inch (shown at 2x by the ``retina`` inline format, so sharp on high-density
#: screens), text large enough to read when a phone shows the figure at 72 % of its width (the
#: site's CSS never shrinks it further: a wider figure scrolls in its own box), the colour-blind
#: safe cycle, and a hook that records each figure's smallest text in its PNG for the site checks.
BOOK_STYLE = {
    "figure.dpi": 100,
    "font.size": 12,
    "legend.fontsize": "medium",
    "legend.title_fontsize": "medium",
    "axes.titlesize": "large",
    "axes.prop_cycle": _cycler(),
    "figure.hooks": ["smoothopt.plotting:_record_smallest_text"],
}

#: The PNG text key under which :func:`_record_smallest_text` stores a figure's smallest font size.
MIN_FONT_KEY = "smoothopt:min-font-pt"


def _smallest_text_pt(fig):
    """The size in points of the smallest visible non-empty text of ``fig`` (None if none)."""
    from matplotlib.text import Text

    def shown(t):
        return (t.get_visible() and t.get_text().strip()
                and (t.axes is None or t.axes.get_visible()))

    sizes = [t.get_fontsize() for t in fig.findobj(Text) if shown(t)]
    return min(sizes) if sizes else None


def _record_smallest_text(fig):
    """A ``figure.hooks`` entry: PNGs of ``fig`` carry its smallest font size as a text chunk.

    The site checks read it back to prove that figure text is at least 9 px on a phone.
    """
    canvas = fig.canvas
    original = canvas.print_figure

    def print_figure(filename, *args, **kwargs):
        fmt = kwargs.get("format") or (filename if isinstance(filename, str) else "png")
        if str(fmt).lower().endswith("png"):
            smallest = _smallest_text_pt(fig)
            if smallest is not None:
                metadata = dict(kwargs.get("metadata") or {})
                metadata[MIN_FONT_KEY] = f"{smallest:.2f}"
                kwargs["metadata"] = metadata
        return original(filename, *args, **kwargs)

    canvas.print_figure = print_figure


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
    html = re.sub(r'<link rel="stylesheet"\s+href="https?://[^"]*font-awesome[^"]*">', "", html)
    for cls, glyph in _FA_GLYPHS.items():
        html = html.replace(f'<i class="{cls}"></i>', glyph)
    return html


_FRAME = re.compile(r'frames\[(\d+)\] = "data:image/png;base64,([^"]*)"')


def _light_frames(html):
    """Re-encode the PNG frames of ``to_jshtml`` output with a 256-colour palette, and let a frame
    identical to an earlier one point at it instead of repeating its bytes."""
    import base64

    first_of = {}

    def sub(m):
        index, data = m.group(1), m.group(2).replace("\\\n", "")
        png = base64.b64decode(data)
        png = _palette_png(png) or png
        if png in first_of:
            return f"frames[{index}] = frames[{first_of[png]}]"
        first_of[png] = index
        return f'frames[{index}] = "data:image/png;base64,{base64.b64encode(png).decode()}"'

    return _FRAME.sub(sub, html)


def _palette_png(png, max_rms=3.0):
    """``png`` with a palette of 256 colours, or None if that changes it visibly (root mean square
    error above ``max_rms`` on the 0..255 scale) or is no smaller."""
    import io

    from PIL import Image

    rgb = Image.open(io.BytesIO(png)).convert("RGB")
    pixels = np.asarray(rgb, dtype=float)
    # the fast octree first; median cut where its palette is too coarse (smooth gradients)
    for method in (Image.Quantize.FASTOCTREE, Image.Quantize.MEDIANCUT):
        indexed = rgb.quantize(colors=256, method=method, dither=Image.Dither.NONE)
        error = np.asarray(indexed.convert("RGB"), dtype=float) - pixels
        if np.sqrt(np.mean(error**2)) <= max_rms:
            out = io.BytesIO()
            indexed.save(out, format="PNG", optimize=True)
            return out.getvalue() if out.tell() < len(png) else None
    return None


def _accessible(html, alt, size):
    """Label what matplotlib leaves unlabelled: the frame (alt text, intrinsic size), the slider;
    and let the controls fit a phone (the slider is 374 px wide otherwise)."""
    import html as _html

    width, height = size
    attrs = f' width="{width}" height="{height}" style="max-width: 100%; height: auto;"'
    if alt:
        attrs = f' alt="{_html.escape(alt)}"' + attrs
    html = re.sub(r'<img id="(_anim_img\w+)">', lambda m: f'<img id="{m.group(1)}"{attrs}>', html)
    html = re.sub(r'(<input id="_anim_slider\w+" type="range")', r'\1 aria-label="Frame"', html)
    html = html.replace("width: 374px;", "width: 374px; max-width: 100%;")
    return html


def animate(fig, update, frames, *, interval=150, default_mode="once", alt=None, dpi=None):
    """Animate ``fig`` and return it as static JavaScript (``to_jshtml``).

    The published site has no kernel, so sliders over a step index, a step size
    or ``sigma`` become these self-contained animations. The figure is closed so
    the notebook does not also show it as a still image. The frames are PNGs with a palette of
    256 colours (a plot has few), a frame equal to an earlier one costs nothing, and the slider
    and frame carry labels for screen readers.

    Parameters
    ----------
    fig : matplotlib Figure
    update : callable
        ``update(frame)`` redraws the figure for one frame.
    frames : int or iterable
        Frame count or the frame values passed to ``update``.
    interval : int
        Milliseconds between frames.
    alt : str, optional
        What the animation shows, for readers who cannot see it (the book fills in the caption
        paragraph next to the cell when this is not given).
    dpi : float, optional
        Pixels per inch of the frames (default: the figure's).

    Returns
    -------
    IPython.display.HTML if IPython is available, else the HTML string.
    """
    anim = _animation.FuncAnimation(fig, update, frames=frames, interval=interval)
    dpi = fig.dpi if dpi is None else dpi
    with plt.rc_context({"savefig.dpi": dpi}):
        html = anim.to_jshtml(default_mode=default_mode)
    size = (round(fig.get_figwidth() * dpi), round(fig.get_figheight() * dpi))
    html = _accessible(_light_frames(_offline(html)), alt, size)
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
