"""The site for every reader: light pages, math without a script, alt text, a theme axe accepts.

What it does, and when:

* **Alt text** (``doctree-resolved``): a figure a cell drew gets, unless its cell metadata gave
  one (``mystnb: image: alt:``), the text of its caption, the paragraph just below the cell (or,
  failing that, the one just above), as its ``alt``; so does each ``to_jshtml`` animation frame.
* **A meta description** (``html-page-context``) from the page's first paragraph, for search
  engines and link previews.
* **Scripts only where used** (``html-page-context``): the search index and its scripts load on
  the search page only (the theme's search box submits to that page).
* **Math pre-rendered** (``build-finished``): every ``\\(...\\)`` and ``\\[...\\]`` of every page is
  typeset by temml (npm package ``temml``, run by ``math_prerender.mjs`` in node) into MathML
  Core, which the browser lays out itself and screen readers read: one element per symbol, where
  MathJax's CommonHTML, used before, needed several and a second, hidden MathML copy for them.
  The font is STIX Two Math (``@fontsource/stix-two-math``), cut to the characters the site
  draws (``math_characters``), with temml's stylesheet; scripts are set tight as in TeX
  (``tight_scripts``). The 1.3 MB MathJax script is then not loaded at all. The TeX stays in
  ``data-tex`` so that each build re-renders every page and the font always covers every
  character. Without node, temml or the font (``npm ci`` in ``book/_ext``) the pages keep the
  MathJax script, and the build says so.
* **Figures** (``build-finished``): PNGs in ``_images`` are re-encoded with a palette of 256
  colours where that loses next to nothing (plots have few colours); every figure ``<img>``
  gets its intrinsic size, ``loading="lazy"`` unless it is the first one and the first screen
  may show it (under 600 characters of text above it), and the smallest width at
  which its smallest text (recorded in the PNG by ``smoothopt.plotting.BOOK_STYLE``) is still
  9 CSS px, so a phone scrolls a wide figure in its box instead of shrinking its text away.
* **The theme** (``build-finished``): no 1.5 MB Font Awesome script (the theme's stylesheet
  already draws the icons with the webfont; ``hide_icons`` marks them ``aria-hidden``, as the
  script did), buttons whose accessible name contains their
  visible text, a bibliography without list roles that have no list items, unique ids.
* **After the first paint** (``build-finished``): the theme's deferred scripts are fetched by one
  inline loader once the page has painted, one a task (``scripts_after_first_paint``);
  ``documentation_options.js`` goes into the page (``inline_options``). Bootstrap makes a
  tooltip when it is first hovered or focused (``lazy_tooltips``; what it did to each element
  at load is done in the HTML, ``tooltip_names``), and copybutton clones one parsed button
  (``cloned_copy_buttons``).
* **One layout** (``build-finished``): the fonts of a page's first screen (its header's icons,
  and the math font if a formula starts in its first 2,500 characters) are preloaded before the
  stylesheet bundle (``first_screen_fonts``); code blocks lose the ``<span>`` of tokens drawn
  like plain code (``plain_code_spans``); sphinx-book-theme's search for margin content goes when
  no page has any (``quiet_book_theme_script``).
"""

from __future__ import annotations

import html as _html
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
NODE_SCRIPT = HERE / "math_prerender.mjs"
TEMML = HERE / "node_modules" / "temml"
# fontsource names its one file "latin", but it is the whole font: 4,605 characters and the MATH table
MATH_FONT_SOURCE = HERE / "node_modules" / "@fontsource" / "stix-two-math" / "files" / "stix-two-math-latin-400-normal.woff"
MATH_FAMILY = "STIX Two Math"
MATH_FONT = "math/STIXTwoMath.subset.woff"  # in _static, beside MATH_CSS
MATH_CSS = "math.css"
MIN_FONT_KEY = "smoothopt:min-font-pt"
MIN_TEXT_PX = 9.0
QUANTIZED_KEY = "smoothopt:palette"

# ------------------------------------------------------------------------------------------------
# alt text from captions
# ------------------------------------------------------------------------------------------------

_GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε",
    "eta": "η", "theta": "θ", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ",
    "pi": "π", "rho": "ρ", "sigma": "σ", "tau": "τ", "phi": "φ", "varphi": "φ", "chi": "χ",
    "psi": "ψ", "omega": "ω", "Sigma": "Σ", "Delta": "Δ", "Gamma": "Γ", "Phi": "Φ",
    "nabla": "∇", "approx": "≈", "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "times": "×",
    "cdot": "·", "to": "→", "infty": "∞", "pm": "±", "ne": "≠", "sim": "~", "ell": "ℓ",
}


def plain_text(tex_text: str) -> str:
    """Caption text with its TeX turned into something a screen reader can say."""
    text = re.sub(r"\\([A-Za-z]+)", lambda m: _GREEK.get(m.group(1), ""), tex_text)
    text = re.sub(r"[${}\\]", "", text).replace("^", " to the power ").replace("_", " ")
    return " ".join(text.split())


def _summary(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit]
    end = max(cut.rfind(". "), cut.rfind("; "))
    return cut[: end + 1] if end > 80 else cut.rsplit(" ", 1)[0] + " …"


def _neighbour_paragraph(cell: nodes.Node) -> str:
    """The caption of a cell's figure: the nearest paragraph below it (before any other cell or
    section), else the nearest one above it."""
    parent = cell.parent
    if parent is None:
        return ""
    index = parent.index(cell)
    for step in (1, -1):
        j = index + step
        while 0 <= j < len(parent) and not isinstance(parent[j], nodes.section):
            if isinstance(parent[j], nodes.paragraph):
                return parent[j].astext()
            if _is_cell(parent[j]):
                break
            j += step
    return ""


def _section_title(node: nodes.Node) -> str:
    for ancestor in _ancestors(node):
        if isinstance(ancestor, nodes.section) and ancestor.children:
            return ancestor[0].astext()
    return ""


def _is_cell(node: nodes.Node) -> bool:
    return isinstance(node, nodes.container) and "cell" in node.get("classes", [])


def _add_alt_text(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    for cell in list(doctree.findall(_is_cell)):
        caption = ""
        images = [im for im in cell.findall(nodes.image) if not im.get("alt")]
        raws = [r for r in cell.findall(nodes.raw)
                if "_anim_img" in r.astext() and not re.search(r'<img id="_anim_img\w+" alt=', r.astext())]
        if not images and not raws:
            continue
        caption = plain_text(_summary(_neighbour_paragraph(cell)))
        if not caption:
            # no paragraph next to the figure and no 'mystnb: image: alt' metadata: say at least
            # where it is (the site checks require alt text of 10 characters or more)
            caption = f"Figure of the section {plain_text(_section_title(cell))!r}"
        for i, image in enumerate(images):
            image["alt"] = caption if len(images) == 1 else f"{caption} (panel {i + 1})"
        for raw in raws:
            text = re.sub(r'<img id="(_anim_img\w+)"',
                          lambda m: f'<img id="{m.group(1)}" alt="{_html.escape(caption)}"',
                          raw.astext())
            raw.parent.replace(raw, nodes.raw("", text, format="html"))


# ------------------------------------------------------------------------------------------------
# meta description, scripts only where used
# ------------------------------------------------------------------------------------------------

_SEARCH_ONLY = ("searchtools.js", "language_data.js", "searchindex.js")
# thebe is off (no kernel behind the site), yet sphinx-thebe adds its script and stylesheet
_UNUSED = ("sphinx-thebe.js", "sphinx-thebe.css")


def _first_paragraph(doctree: nodes.document) -> str:
    for para in doctree.findall(nodes.paragraph):
        if any(isinstance(a, (nodes.Admonition, nodes.container, nodes.table, nodes.footnote,
                              nodes.citation)) for a in _ancestors(para)):
            continue
        text = para.astext().strip()
        if len(text) > 40:
            return text
    return ""


def _ancestors(node: nodes.Node):
    node = node.parent
    while node is not None:
        yield node
        node = node.parent


def _page_context(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
                  doctree: Any) -> None:
    title = re.sub(r"<[^>]+>", "", context.get("title") or "")
    text = _first_paragraph(doctree) if doctree is not None else ""
    if not text:
        book = app.config.html_title or app.config.project
        text = f"{title}: a page of {book}." if title else book
    description = _summary(plain_text(text), 160)
    context["metatags"] = (context.get("metatags", "")
                           + f'\n<meta name="description" content="{_html.escape(description)}" />')
    drop = _UNUSED if pagename == "search" else _UNUSED + _SEARCH_ONLY
    for key in ("script_files", "css_files"):
        files = context.get(key)
        if isinstance(files, list):
            files[:] = [f for f in files
                        if not str(getattr(f, "filename", f) or "").split("?")[0].endswith(drop)]


# ------------------------------------------------------------------------------------------------
# math: TeX -> MathML at build time
# ------------------------------------------------------------------------------------------------

_MATH = re.compile(r'<(span|div) class="(math(?: [^"]*)?)"([^>]*)>(.*?)</\1>', re.S)
_DATA_TEX = re.compile(r'\sdata-tex="([^"]*)"')
_INLINE = re.compile(r"^\s*\\\((.*)\\\)\s*$", re.S)
_DISPLAY = re.compile(r"\\\[(.*)\\\]", re.S)
# an earlier build's rendering: MathML, or MathJax's CommonHTML before it
_RENDERED = re.compile(r"<math[\s>].*</math>|<mjx-container.*</mjx-container>", re.S)


def _math_items(page: str) -> list[tuple[str, bool]]:
    items = []
    for m in _MATH.finditer(page):
        tag, attrs, inner = m.group(1), m.group(3), m.group(4)
        tex = _tex_of(tag, attrs, inner)
        if tex is not None:
            items.append((tex, tag == "div"))
    return items


def _tex_of(tag: str, attrs: str, inner: str) -> str | None:
    if found := _DATA_TEX.search(attrs):
        return _html.unescape(found.group(1))
    pattern = _INLINE if tag == "span" else _DISPLAY
    if found := pattern.search(inner):
        return _html.unescape(found.group(1))
    return None


def _typeset(items: list[tuple[str, bool]]) -> list[str]:
    request = json.dumps({"items": items})
    done = subprocess.run(["node", str(NODE_SCRIPT)], input=request.encode(), capture_output=True,
                          check=False, timeout=600)
    if done.returncode:
        raise RuntimeError(done.stderr.decode(errors="replace")[-2000:])
    reply = json.loads(done.stdout)
    for index, message in reply["errors"]:
        logger.warning(f"temml could not typeset {items[index][0]!r}: {message}",
                       type="smoothopt", subtype="math")
    return reply["html"]


def _replace_math(page: str, rendered: iter) -> str:
    def sub(m: re.Match) -> str:
        tag, classes, attrs, inner = m.groups()
        tex = _tex_of(tag, attrs, inner)
        if tex is None:
            return m.group(0)
        output = next(rendered)
        if not output:  # temml refused it (the build warned): the reader sees the TeX, and so do the site checks
            output = _html.escape(f"\\({tex}\\)" if tag == "span" else f"\\[{tex}\\]")
        attrs = _DATA_TEX.sub("", attrs) + f' data-tex="{_html.escape(tex)}"'
        if _RENDERED.search(inner):
            body = _RENDERED.sub(lambda _: output, inner, count=1)
        elif tag == "span":
            body = output
        else:
            body = _DISPLAY.sub(lambda _: output, inner, count=1)
        return f'<{tag} class="{classes}"{attrs}>{body}</{tag}>'

    return _MATH.sub(sub, page)


_MATHJAX_SCRIPTS = re.compile(
    r'<script[^>]*src="[^"]*mathjax/tex-chtml[^"]*"[^>]*></script>\s*'
    r'|<script>window\.MathJax = .*?</script>\s*', re.S)
BUNDLE_NAME = r"bundle-[0-9a-f]+\.css"  # a stylesheet bundle's file name (bundle_stylesheets)
_BUNDLE_LINK = re.compile(rf'<link rel="stylesheet" href="[^"]*_static/{BUNDLE_NAME}"')
_TOKEN = re.compile(r"<(mi|mo|mn|mtext|ms)\b([^>]*)>([^<]*)</\1>")
_MATH_FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}\s*")
_MATH_FAMILY_RULE = re.compile(r"(\bmath\s*\{\s*font-family:)[^;]*;")
_EQUATION_NUMBERS = re.compile(r"/\*[^*]*auto-numbering[^*]*\*/\s*\.tml-eqn::before\s*\{[^}]*\}\s*"
                               r"body\s*\{\s*counter-reset:[^}]*\}\s*", re.S)


def math_auto_italic(char: str) -> str:
    """The character a browser draws for a one-letter ``<mi>`` (MathML Core's ``math-auto``
    transform): Latin and Greek letters become their mathematical italic forms (U+1D434...),
    anything else stays as it is."""
    c = ord(char)
    if char == "h":
        return "\u210e"  # PLANCK CONSTANT: the italic h's place in Unicode
    if 0x41 <= c <= 0x5A:
        return chr(0x1D434 + c - 0x41)
    if 0x61 <= c <= 0x7A:
        return chr(0x1D44E + c - 0x61)
    if char in "ıȷ":
        return chr(0x1D6A4 + "ıȷ".index(char))
    if 0x391 <= c <= 0x3A9 and c != 0x3A2:
        return chr(0x1D6E2 + c - 0x391)
    if char == "ϴ":
        return chr(0x1D6F3)
    if char == "∇":
        return chr(0x1D6FB)
    if 0x3B1 <= c <= 0x3C9:
        return chr(0x1D6FC + c - 0x3B1)
    others = "∂ϵϑϰϕϱϖ"
    if char in others:
        return chr(0x1D715 + others.index(char))
    return char


def math_characters(formulas: list[str]) -> set[int]:
    """Every code point the browser draws from the math font for these MathML formulas: the text
    of their tokens, a one-letter ``<mi>`` in the italic form the browser gives it (unless
    ``mathvariant="normal"``), and the radical sign of a square root, which is in no token."""
    drawn: set[str] = set()
    for formula in formulas:
        for tag, attrs, text in _TOKEN.findall(formula):
            text = _html.unescape(text)
            if tag == "mi" and len(text) == 1 and "mathvariant" not in attrs:
                text = math_auto_italic(text)
            drawn.update(text)
        if "<msqrt" in formula or "<mroot" in formula:
            drawn.add("\u221a")
    # spaces too (no-break space from "\\ ", thin spaces in operator names): a space the font lacks
    # would take its width from another font
    return {ord(c) for c in drawn if c not in "\n\r\t"}


# elements whose children after the first (the base) are scripts
_SCRIPTED = {"msub", "msup", "msubsup", "munder", "mover", "munderover", "mmultiscripts", "mroot"}
_BIG_OPERATORS = set("∑∏∐∫∬∭∮⋃⋂⋁⋀⨁⨂⨀")


def tight_scripts(formula: str) -> str:
    """TeX sets no space around operators, relations and punctuation in script style: in sub- and
    superscripts, limits and root indices (``x_{t+1}``, ``G_{t,i}``), and in the numerator and
    denominator of a fraction that is not in display style (inline ``\\frac{a+b}{2}``, ``\\tfrac``).
    Browsers give an ``<mo>`` there its full spacing (``t + 1``, ``t, i``). Every ``<mo>`` in
    script style, other than a big operator, gets ``lspace`` and ``rspace`` 0."""
    import xml.etree.ElementTree as ET

    if not any(f"<{tag}" in formula for tag in (*_SCRIPTED, "mfrac")):
        return formula
    try:
        root = ET.fromstring(formula)
    except ET.ParseError:  # not plain MathML (temml's \\includegraphics, say): left as it is
        return formula
    changed = False

    def walk(node, script: bool, display: bool) -> None:
        nonlocal changed
        if script and node.tag == "mo" and (node.text or "").strip() not in _BIG_OPERATORS:
            node.set("lspace", "0em")
            node.set("rspace", "0em")
            changed = True
        if node.get("displaystyle") in ("true", "false"):
            display = node.get("displaystyle") == "true"
        for index, child in enumerate(node):
            if node.tag == "mfrac":  # display: numerator and denominator in text style; else script
                walk(child, script or not display, False)
            elif node.tag in _SCRIPTED and index >= 1:
                walk(child, True, False)
            else:
                walk(child, script, display)

    walk(root, False, root.get("display") == "block")
    return ET.tostring(root, encoding="unicode", short_empty_elements=False) if changed else formula


def math_stylesheet(temml_css: str, font_url: str) -> str:
    """temml's stylesheet for STIX Two Math, drawing with the cut font at ``font_url`` (relative to
    the stylesheet) and without its equation numbers (the book numbers no equation)."""
    face = (f'@font-face {{\n  font-family: "{MATH_FAMILY}";\n  src: url("{font_url}") format("woff");\n'
            f"  font-display: swap;\n}}\n\n")
    css = _MATH_FONT_FACE.sub("", temml_css)
    css, found = _MATH_FAMILY_RULE.subn(rf'\1 "{MATH_FAMILY}", math;', css)
    if not found:
        raise ValueError("temml's stylesheet names no font-family for math")
    css = _EQUATION_NUMBERS.sub("", css)
    return face + css


def subset_math_font(source: Path, target: Path, codepoints: set[int]) -> int:
    """Cut the math font at ``source`` to ``codepoints`` (with the sizes and pieces of stretchy
    characters its MATH table lists) and write it as WOFF to ``target``. Returns its size."""
    from fontTools import subset

    options = subset.Options()
    options.flavor = "woff"
    options.layout_features = ["*"]
    options.notdef_outline = True
    options.name_IDs = ["*"]  # the copyright, the licence (OFL) and its URL travel with the cut
    options.name_languages = ["*"]
    font = subset.load_font(str(source), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(codepoints))
    subsetter.subset(font)
    target.parent.mkdir(parents=True, exist_ok=True)
    subset.save_font(font, str(target), options)
    font.close()
    return target.stat().st_size


def _prerender_math(outdir: Path, pages: dict[Path, str]) -> None:
    if shutil.which("node") is None or not TEMML.is_dir() or not MATH_FONT_SOURCE.is_file():
        logger.info("site: node, or temml or @fontsource/stix-two-math in book/_ext/node_modules, is "
                    "missing (run `npm ci` in book/_ext); the pages keep the MathJax script")
        return
    per_page = {path: _math_items(text) for path, text in pages.items()}
    items = [item for page_items in per_page.values() for item in page_items]
    if not items:
        return
    rendered = [tight_scripts(formula) if formula else formula for formula in _typeset(items)]
    static = outdir / "_static"
    css = math_stylesheet((TEMML / "dist" / "Temml-STIX2.css").read_text(encoding="utf8"), MATH_FONT)
    font = static / MATH_FONT
    try:
        size = subset_math_font(MATH_FONT_SOURCE, font, math_characters(rendered))
        logger.info(f"site: {MATH_FAMILY} cut to the characters in use: {size} bytes")
    except Exception as err:  # noqa: BLE001 - the whole font still works
        logger.warning(f"site: cutting {MATH_FAMILY} failed ({err}); the whole font is served",
                       type="smoothopt", subtype="fonts")
        font.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(MATH_FONT_SOURCE, font)
    # the SIL Open Font License goes with every copy of the font
    shutil.copyfile(MATH_FONT_SOURCE.parents[1] / "LICENSE", font.with_name("LICENSE.txt"))
    (static / MATH_CSS).write_text(css, encoding="utf8")
    # what earlier builds' CommonHTML left behind
    (static / "mathjax-chtml.css").unlink(missing_ok=True)
    for stale in (static / "mathjax").rglob("*.subset.woff"):
        stale.unlink()
    stream = iter(rendered)
    for path, page_items in per_page.items():
        if not page_items:
            continue
        text = _replace_math(pages[path], stream)
        text = _MATHJAX_SCRIPTS.sub("", text)
        href = _static_prefix(outdir, path) + MATH_CSS
        # a page Sphinx did not write again links its bundle, which holds the math's rules already
        if href not in text and not _BUNDLE_LINK.search(text):
            text = text.replace("</head>", f'<link rel="stylesheet" href="{href}" />\n</head>', 1)
        pages[path] = text


def _static_prefix(outdir: Path, path: Path) -> str:
    depth = len(path.relative_to(outdir).parts) - 1
    return "../" * depth + "_static/"


# ------------------------------------------------------------------------------------------------
# figures: palette PNGs, sizes, the phone floor
# ------------------------------------------------------------------------------------------------


def quantize_png(data: bytes, max_rms: float = 3.0) -> bytes | None:
    """A palette (256 colours) re-encoding of PNG ``data``, or None if it is no smaller or differs
    from the original by more than ``max_rms`` (root mean square over pixels and channels, on the
    0..255 scale: 3 is invisible on a plot). Text chunks (the smallest font size) are kept."""
    import io

    import numpy as np
    from PIL import Image, PngImagePlugin

    image = Image.open(io.BytesIO(data))
    if image.mode == "P" or image.info.get(QUANTIZED_KEY):
        return None
    rgb = image.convert("RGB")
    pixels = np.asarray(rgb, dtype=float)
    palette = None
    # the fast octree first; median cut where octree's palette is too coarse (smooth gradients)
    for method in (Image.Quantize.FASTOCTREE, Image.Quantize.MEDIANCUT):
        candidate = rgb.quantize(colors=256, method=method, dither=Image.Dither.NONE)
        error = np.asarray(candidate.convert("RGB"), dtype=float) - pixels
        if np.sqrt(np.mean(error**2)) <= max_rms:
            palette = candidate
            break
    if palette is None:
        return None
    info = PngImagePlugin.PngInfo()
    for key, value in image.info.items():
        if isinstance(value, str):
            info.add_text(key, value)
    info.add_text(QUANTIZED_KEY, "256")
    out = io.BytesIO()
    kwargs = {"dpi": image.info["dpi"]} if "dpi" in image.info else {}
    palette.save(out, format="PNG", optimize=True, pnginfo=info, **kwargs)
    return out.getvalue() if out.tell() < len(data) else None


_FRAME = re.compile(r'frames\[(\d+)\] = "data:image/png;base64,([^"]*)"')
_ANIMATION = re.compile(r"var frames = new Array\(\d+\);.*?setTimeout", re.S)
# matplotlib's Animation constructor fetches every frame at once; here a frame is fetched when it
# is first shown, and the rest as soon as the reader touches a control (so playing is smooth)
_PRELOAD_ALL = """    for (var i=0; i<frames.length; i++)
    {
     this.frames[i] = new Image();
     this.frames[i].src = frames[i];
    }"""
_PRELOAD_ON_USE = """    for (var i=0; i<frames.length; i++)
    {
     this.frames[i] = {src: frames[i]};  /* fetched when shown (book/_ext/site_for_readers.py) */
    }
    this.preloaded = false;"""
_SET_FRAME = """  Animation.prototype.set_frame = function(frame){
    this.current_frame = frame;"""
_SET_FRAME_ON_USE = """  Animation.prototype.set_frame = function(frame){
    if (frame !== 0 && !this.preloaded) {
      this.preloaded = true;
      for (var i=0; i<this.frames.length; i++) { (new Image()).src = this.frames[i].src; }
    }
    this.current_frame = frame;"""


def light_frames(text: str, outdir: Path | None = None, prefix: str = "") -> str:
    """The frames of every ``to_jshtml`` animation of a page, lighter.

    Each frame becomes a palette PNG where that is invisible; with ``outdir``, it moves out of the
    HTML into ``_images/anim/<hash>.png`` (equal frames share one file) and is fetched only when
    shown, or once the reader uses a control. ``prefix`` leads from the page to ``_images``.
    """
    import base64
    import hashlib

    if outdir is not None:
        frames_dir = outdir / "_images" / "anim"
        frames_dir.mkdir(parents=True, exist_ok=True)

    def one_animation(block: re.Match) -> str:
        first_of: dict[bytes, str] = {}

        def sub(m: re.Match) -> str:
            index, data = m.group(1), m.group(2).replace("\\\n", "")
            png = base64.b64decode(data)
            png = quantize_png(png) or png
            if outdir is not None:
                name = hashlib.sha256(png).hexdigest()[:20] + ".png"
                target = frames_dir / name
                if not target.exists():
                    target.write_bytes(png)
                return f'frames[{index}] = "{prefix}_images/anim/{name}"'
            if png in first_of:
                return f"frames[{index}] = frames[{first_of[png]}]"
            first_of[png] = index
            return f'frames[{index}] = "data:image/png;base64,{base64.b64encode(png).decode()}"'

        return _FRAME.sub(sub, block.group(0))

    text = _ANIMATION.sub(one_animation, text)
    if outdir is not None:
        text = text.replace(_PRELOAD_ALL, _PRELOAD_ON_USE).replace(_SET_FRAME, _SET_FRAME_ON_USE)
    return text


def _png_facts(path: Path) -> tuple[int, int, float | None]:
    from PIL import Image

    with Image.open(path) as image:
        smallest = image.info.get(MIN_FONT_KEY)
        return image.width, image.height, float(smallest) if smallest else None


_IMG = re.compile(r'<img\b([^>]*?)\s*/?>')
_ATTR = re.compile(r'([\w:-]+)="([^"]*)"')


_TAG = re.compile(r"<[^>]+>")
FIRST_SCREEN_CHARS = 600  # about as much text as a phone shows above a figure on its first screen


def _text_before(text: str, start: int, end: int) -> int:
    """How many characters of text lie between two offsets of the page (tags left out)."""
    return len(" ".join(_TAG.sub(" ", text[start:end]).split()))


def _figure_images(outdir: Path, path: Path, text: str, cache: dict) -> str:
    first = True
    article = max(text.find("<article"), 0)

    def sub(m: re.Match) -> str:
        nonlocal first
        attrs = dict(_ATTR.findall(m.group(1)))
        src = attrs.get("src", "")
        if "_images/" not in src or not src.endswith(".png"):
            return m.group(0)
        file = (path.parent / src).resolve()
        if file not in cache:
            cache[file] = _png_facts(file) if file.is_file() else None
        facts = cache[file]
        if facts is None:
            return m.group(0)
        width_px, height_px, smallest_pt = facts
        # myst-nb writes the retina metadata (half the pixels) as a fixed `width: ..px; height:
        # ..px` style, which would distort a figure that max-width shrinks: it becomes the
        # intrinsic size (attributes) and CSS keeps the aspect ratio
        style = attrs.get("style", "")
        sized = dict(re.findall(r"(width|height):\s*([\d.]+)px;?", style))
        style = re.sub(r"(?<![-\w])(width|height):\s*[\d.]+px;?\s*", "", style).strip()
        css_w = float(sized.get("width") or attrs.get("width") or width_px)
        css_h = float(sized.get("height") or attrs.get("height") or height_px * css_w / width_px)
        attrs["width"], attrs["height"] = f"{css_w:g}", f"{css_h:g}"
        if style:
            attrs["style"] = style
        else:
            attrs.pop("style", None)
        attrs.setdefault("decoding", "async")
        # a figure the first screen may show is fetched with the page; any other one as it nears
        # the screen, so that it does not compete with the text for the first paint
        if not (first and _text_before(text, article, m.start()) < FIRST_SCREEN_CHARS):
            attrs.setdefault("loading", "lazy")
        first = False
        classes = set(attrs.get("class", "").split()) | {"so-figure"}
        attrs["class"] = " ".join(sorted(classes))
        if smallest_pt:
            # the figure is drawn at 100 px per inch: text of s pt is s * 100 / 72 CSS px wide open
            scale = min(1.0, MIN_TEXT_PX / (smallest_pt * 100 / 72))
            style = re.sub(r"--so-min-w:[^;]*;?", "", attrs.get("style", "")).strip()
            attrs["style"] = f"{style} --so-min-w: {css_w * scale:.0f}px;".strip()
            attrs["data-min-font-pt"] = f"{smallest_pt:g}"
        return "<img " + " ".join(f'{k}="{v}"' for k, v in attrs.items()) + " />"

    return _IMG.sub(sub, text)


# ------------------------------------------------------------------------------------------------
# theme and markup fixes
# ------------------------------------------------------------------------------------------------

_FONTAWESOME_JS = re.compile(r'\s*<script defer src="[^"]*scripts/fontawesome\.js[^"]*"></script>')


_SEARCH_SCRIPTS = re.compile(
    r'\s*<script[^>]*src="[^"]*(?:searchtools|language_data|searchindex)\.js[^"]*"[^>]*></script>')
_THEBE_CONFIG = re.compile(r'\s*<script>const THEBE_JS_URL = [^<]*</script>')
_BLOCKING_SCRIPT = re.compile(r'<script (?![^>]*\b(?:defer|async)\b)([^>]*\bsrc="([^"]+)"[^>]*)></script>')


def _defer_scripts(text: str) -> str:
    """Scripts in the head no longer hold up the first paint: each external one runs deferred, in
    the same order (they all wait for the DOM anyway). documentation_options.js stays as it is,
    since inline scripts of the head assign to the object it defines."""
    head_end = text.find("</head>")
    if head_end < 0:
        return text
    head = _BLOCKING_SCRIPT.sub(
        lambda m: m.group(0) if "documentation_options.js" in m.group(2)
        else f"<script defer {m.group(1)}></script>", text[:head_end])
    return head + text[head_end:]


_DEFERRED_SCRIPT = re.compile(r'\s*<script (?=[^>]*\bdefer\b)([^>]*\bsrc="([^"]+)"[^>]*)></script>')
_SCRIPT_ATTR = re.compile(r'([\w:-]+)(?:="([^"]*)")?')
# Sphinx's search page leaves the words searched for in localStorage (sphinx_highlight_terms),
# which sphinx_highlight.js marks on the page the reader opens from the results (older links
# carry them as ?highlight=); on any other visit it only costs a task (about 100 ms on a
# throttled phone) and marks nothing
ONLY_WITH_HIGHLIGHT = ("sphinx_highlight.js",)
SCRIPTS_READY = "soScripts"  # <html data-so-scripts="ready"> once the last of them has run
LOADER_ID = "so-after-paint"  # the loader's <script id>


def scripts_after_first_paint(text: str) -> str:
    """The theme's deferred scripts (copy buttons, toggles, the theme's menus, Bootstrap) are
    fetched once the page has painted, not with it: one inline loader at the end of the body asks
    for them, in their order, when the browser reports the first contentful paint (a ``paint``
    PerformanceObserver; where there is none, after the first frame), or 5 s after the load event
    at the latest. None of them draws the text, and each script copes with a document that
    finished loading before it ran (they check document.readyState). Without this they are
    fetched and run while the first frame waits to be shown and count towards it. sphinx-design's
    tab script waits for DOMContentLoaded, so it stays deferred, and it goes from pages with no
    tabs. sphinx_highlight.js is fetched only when there are searched-for words to mark (left
    by the search page, or in ``?highlight=``). Once the last script has run, <html> carries
    data-so-scripts="ready"."""
    body_end = text.rfind("</body>")
    if body_end < 0 or text.find("</head>") < 0:
        return text
    found = []

    def take(m: re.Match) -> str:
        attrs = m.group(1)
        src = m.group(2)
        if "design-tabs.js" in src:
            return m.group(0) if "sd-tab-set" in text else ""
        extra = {k: v for k, v in _SCRIPT_ATTR.findall(attrs) if k not in ("src", "defer")}
        entry = [_html.unescape(src), {k: _html.unescape(v) for k, v in extra.items()}]
        if any(name in src for name in ONLY_WITH_HIGHLIGHT):
            entry.append(1)  # fetched only when there are searched-for words to mark
        found.append(entry)
        return ""

    head = _DEFERRED_SCRIPT.sub(take, text[:body_end])
    if not found:
        return head + text[body_end:]
    listing = json.dumps(found, separators=(",", ":")).replace("</", "<\\/")
    loader = (
        f'<script id="{LOADER_ID}">/* the theme\'s scripts, after the first paint (site_for_readers.py) */'
        f"(function(){{var l={listing},d=document,done=0;"
        "function go(){if(done)return;done=1;"
        "var h=/[?&]highlight=/.test(location.search);try{h=h||!!localStorage.getItem('sphinx_highlight_terms')}catch(e){}"
        "l=l.filter(function(s){return !s[2]||h});"
        # one script element a task: starting a script's fetch costs 1-2 ms of main thread
        # (8-19 ms for a chapter's eight, in one task, without throttling); async=false keeps
        # them running in this order whenever they are added
        "var i=0;function add(){var s=l[i],e=d.createElement('script');e.src=s[0];e.async=false;"
        "for(var k in s[1])e.setAttribute(k,s[1][k]);"
        "if(++i===l.length)e.onload=e.onerror=function(){"
        f"d.documentElement.dataset.{SCRIPTS_READY}='ready'}};d.body.appendChild(e);if(i<l.length)setTimeout(add,0)}}"
        f"if(l.length)add();else d.documentElement.dataset.{SCRIPTS_READY}='ready'}}"
        "var P=window.PerformanceObserver;"
        "if(P&&P.supportedEntryTypes&&P.supportedEntryTypes.indexOf('paint')>=0){"
        "var o=new P(function(q){if(q.getEntriesByName('first-contentful-paint').length){o.disconnect();setTimeout(go,0)}});"
        "o.observe({type:'paint',buffered:true})}else requestAnimationFrame(function(){setTimeout(go,0)});"
        "window.addEventListener('load',function(){setTimeout(go,5000)})})();</script>\n")
    return head + loader + text[body_end:]


_OPTIONS_SCRIPT = re.compile(r'<script src="([^"]*documentation_options\.js)(?:\?[^"]*)?"></script>')


def inline_options(text: str, path: Path) -> str:
    """Sphinx's documentation_options.js (400 bytes that the head's inline scripts need before
    they run) goes into the page: a script that blocks the parser costs a phone a round trip."""
    def sub(m: re.Match) -> str:
        file = (path.parent / _html.unescape(m.group(1))).resolve()
        if not file.is_file():
            return m.group(0)
        return "<script>" + file.read_text(encoding="utf8").replace("</", "<\\/") + "</script>"

    return _OPTIONS_SCRIPT.sub(sub, text)


# pydata-sphinx-theme, on the load event, reads scrollWidth/scrollHeight of every code block and
# cell output to give the scrollable ones a tab stop. That read forces the style and layout of the
# whole page, the sections the browser would skip (content-visibility) included: 1.6 s of main
# thread on the API page, the largest task of every long page. site.js does the same job as the
# boxes come near the screen (and soMarkScrollable() at once), so the theme's pass goes.
_THEME_TAB_STOPS = re.compile(
    r'function (\w+)\(\)\{const (\w+)=\(\)=>\{document\.querySelectorAll\(\["pre",[^\]]*\]\.join\(", "\)\)'
    r'\.forEach\((\w+)=>\{\3\.tabIndex=[^}]*\}\)\},(\w+)=\w+\(\2,300\);window\.addEventListener\("resize",\4\),'
    r'new MutationObserver\(\4\)\.observe\(document\.getElementById\("main-content"\),'
    r'\{subtree:!0,childList:!0\}\),\2\(\)\}')


THEME_QUIETED = "lazy, in site.js (site_for_readers.py)"


def quiet_theme_script(js: str) -> tuple[str, bool]:
    """pydata-sphinx-theme.js without its eager whole-page tab-stop pass; (script, whether found)."""
    new, count = _THEME_TAB_STOPS.subn(
        lambda m: f"function {m.group(1)}(){{/* {THEME_QUIETED} */}}", js)
    return new, count == 1


# sphinx-book-theme hides the secondary sidebar while a margin note, side note or pop-out is on
# the screen: at load it matches every element of the page against 28 selectors for them (20 ms
# of main thread on the API page without throttling, 23,000 elements). No page of this site has
# one (``_page_classes`` says so at each build), so the query goes; the observer stays.
_BOOK_THEME_MARGIN_QUERY = 'document.querySelectorAll(n.join(", ")).forEach('
BOOK_THEME_QUIETED = "no margin content on this site (site_for_readers.py)"
BOOK_THEME_MARGIN_CLASSES = tuple(
    name for e in ("marginnote", "sidenote", "margin", "margin-caption", "full-width", "sidebar", "popout")
    for name in (e, f"tag_{e}", e.replace("-", "_"), f"tag_{e.replace('-', '_')}"))


def quiet_book_theme_script(js: str, used: set[str]) -> tuple[str, bool]:
    """sphinx-book-theme.js without its load-time search for margin content when no page has any;
    (script, whether the search was found)."""
    if _BOOK_THEME_MARGIN_QUERY not in js:
        return js, False
    if used.intersection(BOOK_THEME_MARGIN_CLASSES):
        return js, True
    return js.replace(_BOOK_THEME_MARGIN_QUERY, f"[/* {BOOK_THEME_QUIETED} */].forEach(", 1), True


# pydata-sphinx-theme's bootstrap.js makes a Bootstrap Tooltip for every [data-bs-toggle=tooltip]
# as it runs: nine on a chapter, 7 ms of main thread without throttling (_typeCheckConfig's
# checks, per tooltip), in the longest script task after the first paint. Here a tooltip is made
# when the pointer or the focus first reaches its element: in the capture phase at the document,
# before the event gets to the element, so Bootstrap's own listeners, added to the element by the
# constructor, see that same event and show the tooltip as before.
_EAGER_TOOLTIPS = re.compile(
    r"""(\w+)\(function\(\)\{\[\]\.slice\.call\(document\.querySelectorAll\('\[data-bs-toggle="tooltip"\]'\)\)"""
    r"""\.map\(function\((\w+)\)\{return new (\w+)\(\2,(\{delay:\{show:\d+,hide:\d+\}\})\)\}\)\}\)""")
LAZY_TOOLTIPS = "tooltips made on first use (site_for_readers.py)"


def lazy_tooltips(js: str) -> tuple[str, bool]:
    """bootstrap.js whose tooltips are made when first hovered or focused; (script, whether found)."""
    def lazy(m: re.Match) -> str:
        ready, tooltip, options = m.group(1), m.group(3), m.group(4)
        return (f'{ready}(function(){{/* {LAZY_TOOLTIPS} */var o={options};function f(e){{'
                f'var t=e.target&&e.target.closest&&e.target.closest(\'[data-bs-toggle="tooltip"]\');'
                f'if(t&&!{tooltip}.getInstance(t))new {tooltip}(t,o)}}'
                f'document.addEventListener("mouseover",f,!0);document.addEventListener("focusin",f,!0)}})')
    new, count = _EAGER_TOOLTIPS.subn(lazy, js)
    return new, count == 1


# sphinx-copybutton parses its button's HTML (an SVG icon) once per code block, with
# insertAdjacentHTML: 51 blocks on `momentum`, 10-24 ms of main thread without throttling, in one
# task after the first paint. Here the button is parsed once and cloned for every block.
_COPYBUTTON_LOOP = "  codeCells.forEach((codeCell, index) => {\n"
_COPYBUTTON_INSERT = "    codeCell.insertAdjacentHTML('afterend', clipboardButton(id))\n"
COPYBUTTON_CLONED = "one button parsed, the others cloned (site_for_readers.py)"
_COPYBUTTON_CLONE = """    if (!parsed) {
      const template = document.createElement('template')
      template.innerHTML = clipboardButton(id).trim()
      parsed = template.content.firstElementChild
    }
    const button = parsed.cloneNode(true)
    button.setAttribute('data-clipboard-target', `#${id}`)
    codeCell.after(button)
"""


def cloned_copy_buttons(js: str) -> tuple[str, bool]:
    """copybutton.js that parses its button once and clones it; (script, whether found)."""
    if js.count(_COPYBUTTON_INSERT) != 1 or js.count(_COPYBUTTON_LOOP) != 1:
        return js, False
    js = js.replace(_COPYBUTTON_LOOP, f"  let parsed = null  // {COPYBUTTON_CLONED}\n" + _COPYBUTTON_LOOP)
    return js.replace(_COPYBUTTON_INSERT, _COPYBUTTON_CLONE), True


def _patch_script(path: Path, patch, done_marker: str, what: str) -> None:
    """Apply ``patch`` (script -> (script, found)) to a built script; warn when the script is
    missing or has no ``what`` where expected (a new version of the theme or extension?) and
    was not patched already (``done_marker``)."""
    if not path.is_file():
        logger.warning(f"site: {path.name} is missing: {what} stays as it is", type="smoothopt",
                       subtype="theme")
        return
    js, found = patch(path.read_text(encoding="utf8"))
    if found:
        path.write_text(js, encoding="utf8")
    elif done_marker not in js:
        logger.warning(f"site: {path.name} has no {what} where expected (a new version?)",
                       type="smoothopt", subtype="theme")


def _quiet_theme(outdir: Path, used: set[str]) -> None:
    scripts = outdir / "_static" / "scripts"
    _patch_script(scripts / "bootstrap.js", lazy_tooltips, LAZY_TOOLTIPS, "eager tooltip set-up")
    _patch_script(outdir / "_static" / "copybutton.js", cloned_copy_buttons, COPYBUTTON_CLONED,
                  "button insertion")
    _patch_script(scripts / "sphinx-book-theme.js", lambda js: quiet_book_theme_script(js, used),
                  BOOK_THEME_QUIETED, "margin-content search")
    _patch_script(scripts / "pydata-sphinx-theme.js", quiet_theme_script, THEME_QUIETED,
                  "tab-stop pass (the page loads would force a whole-page layout)")


# Bootstrap's Tooltip, when it is made, moves its element's title to data-bs-original-title and,
# on an element with neither text nor aria-label, copies it into aria-label (_fixTitle). With the
# tooltips made on first use (lazy_tooltips) the HTML does this instead, so the header's icon
# buttons are named as before ("Toggle primary sidebar", not the icon's private-use glyph) for a
# screen reader that lists them without hovering or focusing any.
_TOOLTIP_ELEMENT = re.compile(r'<(button|a)\b([^>]*\bdata-bs-toggle="tooltip"[^>]*)>(.*?)</\1>', re.S)
_TITLE_ATTR = re.compile(r'(?<![\w-])title="([^"]*)"')


def tooltip_names(text: str) -> str:
    """Each tooltip element as Bootstrap's Tooltip leaves it when made (see ``_TOOLTIP_ELEMENT``)."""

    def fix(m: re.Match) -> str:
        tag, attrs, inner = m.groups()
        title = _TITLE_ATTR.search(attrs)
        if title is None:
            return m.group(0)
        attrs = f'{attrs[:title.start()]}data-bs-original-title="{title.group(1)}"{attrs[title.end():]}'
        if not re.search(r"(?<![\w-])aria-label=", attrs) and not _TAG.sub("", inner).strip():
            attrs += f' aria-label="{title.group(1)}"'
        return f"<{tag}{attrs}>{inner}</{tag}>"

    return _TOOLTIP_ELEMENT.sub(fix, text)


# Font Awesome's script, which the site drops (_FONTAWESOME_JS), marked every icon aria-hidden;
# without it the glyph an icon draws (a private-use character) joins the accessible name of its
# button or link ("\uf002 Search Ctrl + K", "\uf104 Previous ...").
_ATTRS = r"""(?:[^>"']|"[^"]*"|'[^']*')*"""  # a tag's attributes, quoted values may hold ">"
_ICON = re.compile(rf'<(i|span)\b(?={_ATTRS}?(?<![\w-])class="(?:[^"]*\s)?'
                   r'(?:fa|fas|far|fab|fa-solid|fa-regular|fa-brands)(?:\s[^"]*)?")'
                   rf'(?!{_ATTRS}?(?<![\w-])aria-hidden=)({_ATTRS}?)(\s*/?)>')


def hide_icons(text: str) -> str:
    """Every Font Awesome icon element ``aria-hidden="true"``, as Font Awesome's script made it."""
    return _ICON.sub(r'<\1\2 aria-hidden="true"\3>', text)


def _fix_theme(text: str) -> str:
    text = _FONTAWESOME_JS.sub("", text)
    text = hide_icons(tooltip_names(text))
    text = _THEBE_CONFIG.sub("", text)  # thebe is off: its configuration only costs bytes
    # an accessible name must contain the visible label (axe label-content-name-mismatch)
    text = re.sub(r'(<summary)\s+aria-label="Toggle hidden content"', r"\1", text)
    text = re.sub(r'(<button[^>]*class="[^"]*search-button-field[^"]*"[^>]*?)\s+aria-label="Search"',
                  r"\1", text)
    # sphinxcontrib-bibtex: role="list" whose children are not list items, deprecated roles
    text = re.sub(r'<div role="list" class="citation-list">', '<div class="citation-list">', text)
    text = re.sub(r'\s+role="doc-biblioentry"', "", text)
    # Sphinx's module index: the collapse toggler image says "-"
    text = re.sub(r'(<img src="[^"]*minus\.png" class="toggler"[^>]*?)alt="-"',
                  r'\1alt="Collapse or expand this group of modules"', text, flags=re.S)
    # matplotlib's jshtml: unlabelled frame slider, one "Repetition mode" landmark per animation
    text = re.sub(r'(<input id="_anim_slider\w+" type="range")(?! aria-label)',
                  r'\1 aria-label="Frame"', text)
    text = text.replace('<form title="Repetition mode" role="group" aria-label="Repetition mode"',
                        '<form title="Repetition mode" aria-label="Repetition mode"')
    forms = iter(range(1, 1000))
    if text.count('aria-label="Repetition mode"') > 1:  # one landmark name per animation
        text = re.sub(r'aria-label="Repetition mode"',
                      lambda _: f'aria-label="Repetition mode of animation {next(forms)}"', text)
    return _unique_ids(text)


_ID = re.compile(r'\sid="([^"]+)"')


def _unique_ids(text: str) -> str:
    seen: dict[str, int] = {}

    def sub(m: re.Match) -> str:
        name = m.group(1)
        seen[name] = seen.get(name, 0) + 1
        if seen[name] == 1:
            return m.group(0)
        return f' id="{name}-{seen[name]}"'

    return _ID.sub(sub, text)


# ------------------------------------------------------------------------------------------------
# icons: Font Awesome cut to the glyphs the site uses
# ------------------------------------------------------------------------------------------------

_FA_RULE = re.compile(r'((?:\.fa-[\w-]+:(?:before|after),?)+)\{content:"\\([0-9a-f]{4,5})"\}')
_FA_TOKEN = re.compile(r"\bfa-[a-z0-9-]+")
_CSS_CODEPOINT = re.compile(r'content:\s*"\\([0-9a-fA-F]{4,5})"')


def subset_icon_fonts(outdir: Path, texts: list[str]) -> dict[str, int]:
    """Cut the theme's Font Awesome webfonts (156 + 25 + 118 KB) to the glyphs the site uses.

    The glyphs are those of every ``fa-*`` class named in a page or a script, and every code
    point a stylesheet puts in a ``content`` (sphinx-exercise's and the theme's own icons). The
    cut fonts are written as WOFF beside the originals and the theme's stylesheet points at them.
    Returns the byte size of each font written.
    """
    from fontTools import subset

    static = outdir / "_static"
    theme_css = static / "styles" / "pydata-sphinx-theme.css"
    fonts_dir = static / "vendor" / "fontawesome" / "webfonts"
    if not theme_css.is_file() or not fonts_dir.is_dir():
        return {}
    css = theme_css.read_text(encoding="utf8")
    by_class = {}
    for selectors, code in _FA_RULE.findall(css):
        for selector in selectors.split(","):
            if selector:
                by_class[selector.split(":")[0][1:]] = int(code, 16)
    used_classes = set()
    for text in texts:
        used_classes.update(_FA_TOKEN.findall(text))
    for script in static.rglob("*.js"):
        if script.name != "fontawesome.js":
            used_classes.update(_FA_TOKEN.findall(script.read_text(encoding="utf8", errors="replace")))
    codepoints = {by_class[c] for c in used_classes if c in by_class}
    for sheet in static.rglob("*.css"):
        if sheet != theme_css:
            codepoints.update(int(c, 16) for c in _CSS_CODEPOINT.findall(
                sheet.read_text(encoding="utf8", errors="replace")))
    written = {}
    for original in sorted(fonts_dir.glob("fa-*.woff2")):
        source = original.with_suffix(".ttf")  # read without brotli, the same glyphs
        if not source.is_file():
            continue
        target = original.with_name(original.stem + ".subset.woff")
        options = subset.Options()
        options.flavor = "woff"
        options.layout_features = ["*"]
        font = subset.load_font(str(source), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=sorted(codepoints))
        subsetter.subset(font)
        subset.save_font(font, str(target), options)
        written[target.name] = target.stat().st_size
        css = re.sub(rf'url\(\.\./vendor/fontawesome/webfonts/{re.escape(original.name)}\) format\("woff2"\)'
                     rf',url\(\.\./vendor/fontawesome/webfonts/{re.escape(original.stem)}\.ttf\) format\("truetype"\)',
                     f'url(../vendor/fontawesome/webfonts/{target.name}) format("woff")', css)
    # and the 2,000 icon rules of the stylesheet shrink to those in use (about 100 KB less)
    def keep(m: re.Match) -> str:
        names = {sel.split(":")[0][1:] for sel in m.group(1).split(",") if sel}
        return m.group(0) if names & used_classes else ""

    css = _FA_RULE.sub(keep, css)
    theme_css.write_text(css, encoding="utf8")
    return written


# ------------------------------------------------------------------------------------------------
# the first paint: one stylesheet, no script preloads
# ------------------------------------------------------------------------------------------------

_PRELOAD_SCRIPT = re.compile(r'\s*<link rel="preload" as="script" href="[^"]*"\s*/?>')


def drop_script_preloads(text: str) -> str:
    """The theme preloads its two scripts at high priority, ahead of the page's own text and
    stylesheets; they run deferred at the end of the body anyway, so they are fetched there."""
    return _PRELOAD_SCRIPT.sub("", text)


_STYLESHEET = re.compile(r'[ \t]*<link\b(?=[^>]*\brel="stylesheet")[^>]*\bhref="([^"]+)"[^>]*>\n?')
_CSS_IMPORT = re.compile(r'@import\s+(?:url\()?\s*["\']?([^"\')\s;]+)["\']?\s*\)?\s*;')
_CSS_URL = re.compile(r'url\(\s*(["\']?)([^"\')]+)\1\s*\)')


def _css_for_bundle(file: Path, static: Path, seen: set[Path]) -> str:
    """A stylesheet with its @imports inlined and its url()s made relative to ``static``."""
    import posixpath

    if file in seen:
        return ""
    seen.add(file)
    css = file.read_text(encoding="utf8")
    css = re.sub(r'@charset\s+"[^"]*";', "", css)

    def rebase(m: re.Match) -> str:
        quote, url = m.group(1), m.group(2).strip()
        if re.match(r"^(?:[a-z][\w+.-]*:|/|#)", url, re.I):
            return m.group(0)
        target = posixpath.normpath(posixpath.join(file.parent.relative_to(static).as_posix(), url))
        return f"url({quote}{target}{quote})"

    imported: list[str] = []

    def inline(m: re.Match) -> str:
        url = m.group(1).split("?")[0]
        target = (file.parent / url).resolve()
        if static not in target.parents or not target.is_file():
            imported.append(_CSS_URL.sub(rebase, m.group(0)) if "url(" in m.group(0) else m.group(0))
        else:
            imported.append(_css_for_bundle(target, static, seen))
        return f"\0{len(imported) - 1}\0"

    css = _CSS_IMPORT.sub(inline, css)  # the imported files are rebased on their own
    if file.parent != static:
        css = _CSS_URL.sub(rebase, css)
    return re.sub(r"\0(\d+)\0", lambda m: imported[int(m.group(1))], css)


# The stylesheets whose unused rules go: Bootstrap and pydata-sphinx-theme (312 KB, of which the
# site uses about a third) and sphinx-design. The site's own, the math's and the small ones stay.
PURGED_CSS = ("styles/pydata-sphinx-theme.css", "sphinx-design.min.css")
_CSS_NAME = re.compile(r"\.(-?[_a-zA-Z][\w-]*)|#(-?[_a-zA-Z][\w-]*)")
_GROUPING_RULES = ("@media", "@supports", "@container", "@layer")


def _css_blocks(css: str) -> list[str]:
    """The top-level statements and rules of a stylesheet without comments (quote- and brace-aware)."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    out, depth, start, i = [], 0, 0, 0
    while i < len(css):
        c = css[i]
        if c in "\"'":
            end = css.find(c, i + 1)
            i = (end if end > 0 else len(css) - 1) + 1
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                out.append(css[start: i + 1])
                start = i + 1
        elif c == ";" and depth == 0:
            out.append(css[start: i + 1])
            start = i + 1
        i += 1
    if css[start:].strip():
        out.append(css[start:])
    return out


def _split_selectors(selectors: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, c in enumerate(selectors):
        if c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        elif c == "," and depth == 0:
            parts.append(selectors[start:i])
            start = i + 1
    parts.append(selectors[start:])
    return parts


def purge_css(css: str, used: set[str], prefixes: tuple[str, ...] = ()) -> str:
    """``css`` without the rules no page can match: a selector goes when it names a class or id
    (outside brackets and functional pseudo-classes such as ``:not()``) that is in ``used``
    neither whole nor by one of ``prefixes``; a rule goes when all its selectors do."""

    def known(name: str) -> bool:
        return name in used or name.startswith(prefixes)

    def dead(selector: str) -> bool:
        bare = selector
        while True:  # brackets and parentheses (innermost first) say nothing certain
            stripped = re.sub(r"\[[^\[\]]*\]|\([^()]*\)", "", bare)
            if stripped == bare:
                break
            bare = stripped
        return any(not known(m.group(1) or m.group(2)) for m in _CSS_NAME.finditer(bare))

    out = []
    for block in _css_blocks(css):
        head = block.lstrip()
        if head.startswith(_GROUPING_RULES) and "{" in block:
            i = block.index("{")
            inner = purge_css(block[i + 1: block.rindex("}")], used, prefixes)
            if inner.strip():
                out.append(block[: i + 1] + inner + "}")
        elif head.startswith("@") or "{" not in block:
            out.append(block)
        else:
            i = block.index("{")
            live = [sel for sel in _split_selectors(block[:i]) if not dead(sel)]
            if live:
                out.append(",".join(live) + block[i:])
    return "".join(out)


def _page_classes(pages: dict[Path, str]) -> set[str]:
    """Every class of every page."""
    return {c for text in pages.values() for m in re.finditer(r'\bclass="([^"]*)"', text)
            for c in m.group(1).split()}


def _names_in_use(outdir: Path, pages: dict[Path, str]) -> tuple[set[str], tuple[str, ...]]:
    """Every class and id of every page, and every word of every script (a class a script adds is
    a string in it); words ending in '-' are prefixes (``"bs-tooltip-" + placement``)."""
    used = _page_classes(pages)
    for text in pages.values():
        used.update(re.findall(r'\bid="([^"]+)"', text))
    for script in (outdir / "_static").rglob("*.js"):
        if script.name != "searchindex.js":
            used.update(re.findall(r"[A-Za-z_][\w-]*", script.read_text(encoding="utf8", errors="replace")))
    prefixes = tuple(sorted(w for w in used if w.endswith("-") and len(w) >= 4))
    return used, prefixes


_HIGHLIGHT_RULE = re.compile(r'^(?:html\[data-theme="(\w+)"\]\s+)?\.highlight(?:\s+\.([\w-]+))?$')
_COLOR_ONLY = re.compile(r"^\s*color:\s*(#[0-9a-fA-F]{3,8})\s*;?\s*$")
# copybutton leaves the prompt and output classes out of what it copies: never unwrap those
_COPY_EXCLUDED = {"gp", "go", "linenos"}


def code_colour_rules(css: str) -> str:
    """Rules that give the text of a code block, in each colour theme, the colour of
    ``.highlight`` itself (the theme's ``pre { color: ... }`` would otherwise draw the text of
    unwrapped tokens, ``plain_code_spans``, in its own colour); only blocks that lost spans carry
    the class, so a cell's output keeps the theme's colour. Empty if no theme colours code."""
    base = _highlight_colours(css)[0]
    return "".join(f'{f"html[data-theme={chr(34)}{t}{chr(34)}] " if t else ""}.highlight pre.{PLAIN_CODE} {{ color: {c} }}\n'
                   for t, c in sorted(base.items()) if c)


def _highlight_colours(css: str) -> tuple[dict[str, str], dict[str, dict[str, str | None]], set[str]]:
    base: dict[str, str] = {}
    token: dict[str, dict[str, str | None]] = {}
    named: set[str] = set()
    for block in _css_blocks(css):
        i = block.find("{")
        if i < 0 or block.lstrip().startswith("@"):
            named.update(re.findall(r"\.(-?[_a-zA-Z][\w-]*)", block))  # grouping rules: keep all
            continue
        body = block[i + 1: block.rfind("}")]
        color = _COLOR_ONLY.match(body)
        for sel in _split_selectors(block[:i]):
            m = _HIGHLIGHT_RULE.match(" ".join(sel.split()))
            if m and m.group(2) is None and "color:" in body:
                c = re.search(r"(?<![-\w])color:\s*(#[0-9a-fA-F]{3,8})", body)
                base[m.group(1) or ""] = c.group(1).lower() if c else ""
            elif m:
                token.setdefault(m.group(2), {})[m.group(1) or ""] = color.group(1).lower() if color else None
            else:
                # a class inside :not(), :is(), :where(), :has() counts as named; outside them, a
                # part of the selector that asks for one class only could match a token's span
                named.update(re.findall(r"\.(-?[_a-zA-Z][\w-]*)", "".join(re.findall(r"\([^()]*\)", sel))))
                bare = re.sub(r"\([^()]*\)", "", sel)
                for part in re.split(r"\s*[>+~]\s*|\s+", bare.strip()):
                    classes = set(re.findall(r"\.(-?[_a-zA-Z][\w-]*)", part))
                    if len(classes) == 1:
                        named.update(classes)
    return base, token, named


def plain_token_classes(css: str) -> set[str]:
    """The Pygments token classes that look exactly like the code around them: in every colour
    theme their only rule gives them the colour of ``.highlight`` itself, and no other selector
    of the stylesheet could match their ``<span class="x">`` (one naming the class in a part that
    asks for no other class: ``.sig-param.n`` cannot, ``.n``, ``pre .n + span`` or ``:not(.n)``
    could). With ``code_colour_rules`` in the stylesheet, their ``<span>`` changes nothing on the
    screen."""
    base, token, named = _highlight_colours(css)
    return {name for name, themes in token.items()
            if name not in named and name not in _COPY_EXCLUDED and themes.keys() == base.keys()
            and all(themes[t] is not None and themes[t] == base[t] for t in themes)}


_CODE_BLOCK = re.compile(r'(<div class="highlight"><pre)([^>]*>)(.*?)(</pre>)', re.S)
PLAIN_CODE = "so-plain"  # the class of a code block whose plain tokens lost their <span>


def plain_code_spans(text: str, plain: set[str]) -> str:
    """Code blocks without the ``<span>`` of tokens drawn like plain code (``plain_token_classes``:
    names, punctuation, spaces in the site's Pygments styles): 5,000 of the 16,000 elements of
    the adaptive chapter, which the browser parses, styles and lays out at every load, and every
    script's query walks. The text, its colours and what the copy button copies stay the same."""
    if not plain:
        return text
    span = re.compile(r'<span class="(?:' + "|".join(re.escape(c) for c in sorted(plain)) + r')">([^<]*)</span>')

    def sub(m: re.Match) -> str:
        code, count = span.subn(r"\1", m.group(3))
        if not count:
            return m.group(0)
        attrs = m.group(2)
        if re.search(r'\sclass="', attrs):
            attrs = re.sub(r'(\sclass=")', rf"\1{PLAIN_CODE} ", attrs, count=1)
        else:
            attrs = f' class="{PLAIN_CODE}"' + attrs
        return m.group(1) + attrs + code + m.group(4)

    return _CODE_BLOCK.sub(sub, text)


_FACE_FAMILY = re.compile(r"font-family:\s*([^;}]+)")
_FACE_WEIGHT = re.compile(r"font-weight:\s*(\d+)")
_FACE_URL = re.compile(r'url\(\s*["\']?([^"\')]+)["\']?\s*\)\s*format\(\s*["\']?([\w-]+)')
_FONT_TYPES = {"woff": "font/woff", "woff2": "font/woff2", "truetype": "font/ttf", "opentype": "font/otf"}
FIRST_SCREEN_FONT_CHARS = 2500  # the text whose math a laptop's or phone's first layout covers
_FA_STYLES = {"fa-solid": 900, "fas": 900, "fa-regular": 400, "far": 400}


def _family(name: str) -> str:
    return name.strip().strip("\"'").replace("\\ ", " ")


def font_faces(css: str) -> dict[tuple[str, int], tuple[str, str]]:
    """(family, weight) -> (url relative to the stylesheet, format) of each ``@font-face``."""
    faces = {}
    for block in _css_blocks(css):
        if not block.lstrip().lower().startswith("@font-face"):
            continue
        family, url = _FACE_FAMILY.search(block), _FACE_URL.search(block)
        if family and url:
            weight = _FACE_WEIGHT.search(block)
            faces.setdefault((_family(family.group(1)), int(weight.group(1)) if weight else 400),
                             (url.group(1), url.group(2)))
    return faces


def first_screen_fonts(text: str, faces: dict) -> list[tuple[str, str]]:
    """The font files a page's first layout draws with: the icons of its header (Font Awesome's
    solid or regular style, as the classes before the article say) and the math font, if a
    formula starts in the first ``FIRST_SCREEN_FONT_CHARS`` characters of its text. (url,
    format) each."""
    article = text.find("<article")
    if article < 0:
        return []
    wanted: list[tuple[str, int]] = []
    header_classes = {c for m in re.finditer(r'\bclass="([^"]*)"', text[:article]) for c in m.group(1).split()}
    for cls, weight in _FA_STYLES.items():
        if cls in header_classes:
            wanted.append(("Font Awesome 6 Free", weight))
    first_math = re.search(r"<math[\s>]", text[article:])
    if first_math and _text_before(text, article, article + first_math.start()) <= FIRST_SCREEN_FONT_CHARS:
        wanted.append((MATH_FAMILY, 400))
    out = []
    for key in dict.fromkeys(wanted):
        if key in faces and faces[key] not in out:
            out.append(faces[key])
    return out


def bundle_stylesheets(outdir: Path, pages: dict[Path, str]) -> dict[str, int]:
    """Every page's stylesheets (eleven or twelve files of the theme, its extensions and the site)
    become one file, in the same order: a phone on a slow line opens one connection for them
    instead of a dozen before it can paint the first line. The theme's and sphinx-design's rules
    that match nothing on any page are left out (``purge_css``: 71 KB gzipped become about 27).
    Pages that load the same set share one bundle, named by its content. Before it, each page
    preloads the fonts its first layout draws with (``first_screen_fonts``), and its code blocks
    lose the spans the bundle draws like plain code (``plain_code_spans``). Returns the bundles'
    sizes."""
    import hashlib

    static = (outdir / "_static").resolve()
    bundles: dict[tuple[Path, ...], tuple[str, dict, set[str]]] = {}
    sizes: dict[str, int] = {}
    kept: set[str] = set()
    names = None
    for path, text in pages.items():
        head_end = text.find("</head>")
        if head_end < 0:
            continue
        head = text[:head_end]
        links = []
        for m in _STYLESHEET.finditer(head):
            href = m.group(1).split("?")[0]
            file = (path.parent / href).resolve()
            if re.match(r"^(?:[a-z][\w+.-]*:|/)", href, re.I) or static not in file.parents or not file.is_file():
                continue
            links.append((m, file))
        if len(links) < 2:
            # a page Sphinx did not write again keeps the bundle an earlier build gave it
            kept.update(f.name for _, f in links if re.fullmatch(BUNDLE_NAME, f.name))
            continue
        key = tuple(file for _, file in links)
        if key not in bundles:
            seen: set[Path] = set()
            parts = []
            for file in key:
                css = _css_for_bundle(file, static, seen)
                if file.relative_to(static).as_posix() in PURGED_CSS:
                    if names is None:
                        names = _names_in_use(outdir, pages)
                    css = purge_css(css, *names)
                parts.append(f"/* {file.relative_to(static).as_posix()} */\n" + css)
            css = "\n".join(parts)
            plain = plain_token_classes(css)
            if plain:
                css += "\n/* the text of a code block in the colour of its plain tokens (plain_code_spans) */\n"
                css += code_colour_rules(css)
            name = f"bundle-{hashlib.sha256(css.encode()).hexdigest()[:12]}.css"
            (static / name).write_text(css, encoding="utf8")
            sizes[name] = len(css.encode())
            bundles[key] = (name, font_faces(css), plain)
        first = links[0][0]
        prefix = _static_prefix(outdir, path)
        name, faces, plain = bundles[key]
        # the fonts the first layout needs are asked for before the stylesheet that names them:
        # they arrive before the text is laid out, which is then laid out once, in them (found at
        # first use, they would arrive after it and lay out every formula on the screen again)
        new_head = head[: first.start()] + "".join(
            f'<link rel="preload" href="{prefix}{url}" as="font" type="{_FONT_TYPES[fmt]}" crossorigin />\n'
            for url, fmt in first_screen_fonts(text, faces) if fmt in _FONT_TYPES)
        new_head += f'<link rel="stylesheet" href="{prefix}{name}" />\n'
        last = first.end()
        for m, _ in links[1:]:
            new_head += head[last: m.start()]
            last = m.end()
        pages[path] = new_head + head[last:] + plain_code_spans(text[head_end:], plain)
    current = {entry[0] for entry in bundles.values()} | kept
    # of earlier builds (fonts-*.css: the fonts' stylesheets of builds before the preloads)
    for stale in [*static.glob("bundle-*.css"), *static.glob("fonts-*.css")]:
        if stale.name not in current:
            stale.unlink()
    return sizes


# ------------------------------------------------------------------------------------------------
# the pass over the written site
# ------------------------------------------------------------------------------------------------


def _finish(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    images = outdir / "_images"
    for png in sorted(images.glob("*.png")) if images.is_dir() else []:
        smaller = quantize_png(png.read_bytes())
        if smaller is not None:
            png.write_bytes(smaller)
    pages = {p: p.read_text(encoding="utf8") for p in sorted(outdir.rglob("*.html"))
             if "_static" not in p.parts}
    try:
        _prerender_math(outdir, pages)
    except (RuntimeError, OSError, ValueError, subprocess.TimeoutExpired) as err:
        logger.warning(f"site: pre-rendering the math failed: {err}", type="smoothopt",
                       subtype="math")
    try:
        fonts = subset_icon_fonts(outdir, list(pages.values()))
        logger.info(f"site: icon fonts cut to the glyphs in use: {fonts}")
    except Exception as err:  # noqa: BLE001 - the full fonts still work
        logger.warning(f"site: cutting the icon fonts failed: {err}", type="smoothopt",
                       subtype="fonts")
    _quiet_theme(outdir, _page_classes(pages))
    try:
        bundles = bundle_stylesheets(outdir, pages)
        logger.info(f"site: stylesheets bundled, one request a page: {bundles}")
    except (OSError, ValueError) as err:  # the separate stylesheets still work
        logger.warning(f"site: bundling the stylesheets failed: {err}", type="smoothopt", subtype="css")
    cache: dict = {}
    for path, text in pages.items():
        text = _fix_theme(text)
        text = drop_script_preloads(text)
        text = light_frames(text, outdir, _static_prefix(outdir, path)[: -len("_static/")])
        if path.name != "search.html":  # the search page runs its inline scripts as it loads
            # pydata-sphinx-theme loads the search index on every page for search-as-you-type,
            # which is off: the search box submits to search.html, which loads its own
            text = _SEARCH_SCRIPTS.sub("", text)
            text = _defer_scripts(text)
            text = scripts_after_first_paint(text)
            text = inline_options(text, path)
        text = _figure_images(outdir, path, text, cache)
        path.write_text(text, encoding="utf8")


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("doctree-resolved", _add_alt_text)
    app.connect("html-page-context", _page_context, priority=800)
    # after the theme (pygments.css), myst-nb and sphinx-exercise have written their stylesheets,
    # which go into the bundle; before the student edition's pass over _sources (900)
    app.connect("build-finished", _finish, priority=850)
    app.add_css_file("site.css")
    app.add_js_file("site.js", defer="defer")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
