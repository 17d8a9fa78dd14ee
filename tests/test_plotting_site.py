"""The book's figure style and palette: what they claim is computed here, not asserted in prose."""

from __future__ import annotations

import base64
import io
import itertools
import re

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from PIL import Image  # noqa: E402

from smoothopt import plotting  # noqa: E402

# Machado, Oliveira & Fernandes (2009), "A physiologically-based model for simulation of color
# vision deficiency", IEEE TVCG 15(6): the matrices for severity 1.0, applied to linear sRGB.
MACHADO_2009 = {
    "protanopia": [[0.152286, 1.052583, -0.204868],
                   [0.114503, 0.786281, 0.099216],
                   [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968],
                     [0.280085, 0.672501, 0.047413],
                     [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779],
                   [-0.078411, 0.930809, 0.147602],
                   [0.004733, 0.691367, 0.303900]],
}


def _linear(hex_colour):
    c = np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)]) / 255
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _lab(linear_rgb):
    """CIELAB (D65) of a linear sRGB colour."""
    xyz = np.array([[0.4124, 0.3576, 0.1805],
                    [0.2126, 0.7152, 0.0722],
                    [0.0193, 0.1192, 0.9505]]) @ np.clip(linear_rgb, 0, 1)
    t = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def test_lab_of_known_colours():
    np.testing.assert_allclose(_lab(_linear("#ffffff")), [100, 0, 0], atol=0.05)
    np.testing.assert_allclose(_lab(_linear("#000000")), [0, 0, 0], atol=1e-9)
    # sRGB red is L* 53.2, a* 80.1, b* 67.2
    np.testing.assert_allclose(_lab(_linear("#ff0000")), [53.24, 80.09, 67.20], atol=0.1)


def test_the_palettes_are_okabe_ito():
    assert set(plotting.PATH_COLORS) == set(plotting.CYCLE) <= set(plotting.OKABE_ITO.values())
    assert len(set(plotting.PATH_COLORS)) == len(plotting.PATH_COLORS) == 7


@pytest.mark.parametrize("deficiency", sorted(MACHADO_2009))
@pytest.mark.parametrize("palette", ["PATH_COLORS", "CYCLE"])
def test_every_pair_stays_apart_under_colour_vision_deficiency(palette, deficiency):
    """Under each simulated dichromacy, any two colours are >= 15 CIELAB units apart (the old
    tab10 cycle had red and green 7 apart under deuteranopia, orange and green 5 under protanopia)."""
    matrix = np.array(MACHADO_2009[deficiency])
    colours = getattr(plotting, palette)
    labs = {c: _lab(matrix @ _linear(c)) for c in colours}
    worst = min((np.linalg.norm(labs[a] - labs[b]), a, b)
                for a, b in itertools.combinations(colours, 2))
    assert worst[0] >= 15, f"{palette} under {deficiency}: {worst[1]} and {worst[2]} are {worst[0]:.1f} apart"


@pytest.mark.parametrize("palette", ["PATH_COLORS", "CYCLE"])
def test_the_first_three_differ_in_greyscale(palette):
    """Printed in grey, the first three colours of each palette differ by >= 8 in lightness L*."""
    lightness = [_lab(_linear(c))[0] for c in getattr(plotting, palette)[:3]]
    gaps = [abs(a - b) for a, b in itertools.combinations(lightness, 2)]
    assert min(gaps) >= 8, f"{palette}: L* {np.round(lightness, 1)}"


def test_book_style_records_the_smallest_text_in_the_png():
    with plt.rc_context(plotting.BOOK_STYLE):
        fig, ax = plt.subplots(figsize=(4, 3))
        ax.plot([0, 1], [0, 1], label="a line")
        ax.legend(fontsize="small")
        ax.set_title("title")
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
    info = Image.open(io.BytesIO(buffer.getvalue())).info
    # font.size 12: "small" is 12 / 1.2 = 10 pt, the smallest text of the figure
    assert float(info[plotting.MIN_FONT_KEY]) == pytest.approx(10.0)
    assert plotting.BOOK_STYLE["axes.prop_cycle"].by_key()["color"] == plotting.CYCLE


def test_animation_frames_are_indexed_labelled_and_deduplicated():
    fig, ax = plt.subplots(figsize=(3, 2), dpi=50)
    (line,) = ax.plot([0, 1], [0, 0])

    def update(i):
        line.set_ydata([0, min(i, 2) / 2])  # frames 2, 3 and 4 are the same picture

    html = plotting.animate(fig, update, 5, alt="A line tilting up")
    html = getattr(html, "data", html)
    frames = re.findall(r'frames\[(\d+)\] = "data:image/png;base64,([^"]*)"', html)
    assert [i for i, _ in frames] == ["0", "1", "2"]
    assert re.findall(r"frames\[(\d+)\] = frames\[(\d+)\]", html) == [("3", "2"), ("4", "2")]
    for _, data in frames:
        assert Image.open(io.BytesIO(base64.b64decode(data.replace("\\\n", "")))).mode == "P"
    assert 'alt="A line tilting up"' in html and 'width="150" height="100"' in html
    assert re.search(r'<input id="_anim_slider\w+" type="range" aria-label="Frame"', html)
    assert "font-awesome" not in html and "maxcdn" not in html
