"""The book's sphinx extension site_for_readers, on small inputs (no build needed)."""

from __future__ import annotations

import base64
import importlib.util
import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

PIL = pytest.importorskip("PIL")
pytest.importorskip("sphinx")
from PIL import Image  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("site_for_readers", ROOT / "book/_ext/site_for_readers.py")
sfr = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(sfr)


def _png(array, **info):
    from PIL import PngImagePlugin

    meta = PngImagePlugin.PngInfo()
    for k, v in info.items():
        meta.add_text(k, v)
    out = io.BytesIO()
    Image.fromarray(array).save(out, format="PNG", pnginfo=meta)
    return out.getvalue()


def test_plain_text_of_a_caption_says_the_math_in_words():
    assert sfr.plain_text(r"Descent on $f_\sigma$ with $\eta = 0.1$") == "Descent on f σ with η = 0.1"


def test_quantize_keeps_a_plot_and_its_text_chunks_and_refuses_a_photo():
    rng = np.random.default_rng(0)
    # 40 bands of colour with a line across, like a contour plot: fewer than 256 colours
    bands = (np.linspace(0, 255, 40).astype(np.uint8)[np.arange(300) * 40 // 300])
    plot = np.stack([bands, 255 - bands, np.full(300, 128, np.uint8)], axis=-1)[None].repeat(200, 0)
    plot[::9, :] = [213, 94, 0]
    data = _png(plot, **{sfr.MIN_FONT_KEY: "10"})
    smaller = sfr.quantize_png(data)
    assert smaller is not None and len(smaller) <= len(data)
    image = Image.open(io.BytesIO(smaller))
    assert image.mode == "P" and image.info[sfr.MIN_FONT_KEY] == "10"
    np.testing.assert_array_equal(np.asarray(image.convert("RGB")), plot)  # few colours: exact
    assert sfr.quantize_png(smaller) is None  # already indexed
    noise = rng.integers(0, 256, (60, 80, 3), dtype=np.uint8)
    assert sfr.quantize_png(_png(noise)) is None  # 256 colours cannot hold it


def _needs_temml():
    if shutil.which("node") is None or not sfr.TEMML.is_dir() or not sfr.MATH_FONT_SOURCE.is_file():
        message = ("node, or temml or @fontsource/stix-two-math in book/_ext/node_modules, is missing "
                   "(make node-tools)")
        if os.environ.get("CI"):  # CI (.ci/run) installs them: a skip there would hide a failure
            pytest.fail(message)
        pytest.skip(message)


def test_math_is_typeset_into_mathml_and_kept_as_tex(tmp_path):
    _needs_temml()
    from fontTools.ttLib import TTFont

    (tmp_path / "_static").mkdir()
    page = tmp_path / "p.html"
    text = ('<html><head></head><body><p><span class="math notranslate nohighlight">\\(\\sigma &lt; 1\\)</span></p>'
            '<div class="math notranslate nohighlight" id="eq">\n\\[\\mathbb{E}\\,\\sqrt{h}\\]</div>'
            '<div class="math notranslate nohighlight">\n\\[\\begin{align}a &amp;= b\\end{align}\\]</div>'
            '<div class="math notranslate nohighlight">\n\\[\\begin{alignat}{2}a &amp;= b &amp; c\\end{alignat}\\]</div></body></html>')
    pages = {page: text}
    sfr._prerender_math(tmp_path, pages)
    out = pages[page]
    assert out.count("<math") == 4 and 'data-tex="\\sigma &lt; 1"' in out
    assert "<mi>σ</mi>" in out and "<mi>𝔼</mi>" in out  # \mathbb as its Unicode letter, not mathvariant
    assert '<math display="block"' in out and "tml-eqn" not in out  # no equation numbers
    assert not re.search(r"<math[^>]*>(?:(?!</math>).)*<span", out, re.S)  # nor their <span> in MathML
    assert 'href="_static/math.css"' in out
    css = (tmp_path / "_static/math.css").read_text()
    assert sfr.font_faces(css) == {("STIX Two Math", 400): ("math/STIXTwoMath.subset.woff", "woff")}
    assert "counter(tmlEqnNo)" not in css
    with TTFont(tmp_path / "_static" / sfr.MATH_FONT) as font:
        cmap = set(font.getBestCmap())
        assert "MATH" in font  # the sizes and pieces of stretchy characters
        assert "scripts.sil.org/OFL" in font["name"].getDebugName(14)  # the licence travels with the cut
    assert "SIL Open Font License" in (tmp_path / "_static/math/LICENSE.txt").read_text()
    # σ and h as the browser draws a one-letter <mi> (italic), 𝔼, the radical sign, <
    assert {0x1D70E, 0x210E, 0x1D53C, 0x221A, 0x3C} <= cmap and ord("h") not in cmap and ord("q") not in cmap
    again = {page: out}
    sfr._prerender_math(tmp_path, again)  # a rebuild re-renders from data-tex, same result
    assert again[page] == out
    mathjax = {page: out.replace(out[out.index("<math"): out.index("</math>") + 7],
                                 '<mjx-container class="MathJax">old</mjx-container>', 1)}
    sfr._prerender_math(tmp_path, mathjax)  # and so does a page an older build left in CommonHTML
    assert mathjax[page] == out
    # a page Sphinx did not write again links its bundle, which holds the math's rules already
    bundled = out.replace('<link rel="stylesheet" href="_static/math.css" />',
                          '<link rel="stylesheet" href="_static/bundle-0123456789ab.css" />')
    again = {page: bundled}
    sfr._prerender_math(tmp_path, again)
    assert again[page] == bundled and "math.css" not in again[page]


def test_tex_that_fails_stays_visible_as_tex(tmp_path, monkeypatch):
    _needs_temml()
    warned = []
    monkeypatch.setattr(sfr.logger, "warning", lambda message, **kw: warned.append(message))
    (tmp_path / "_static").mkdir()
    page = tmp_path / "p.html"
    text = ('<html><head></head><body><p><span class="math notranslate nohighlight">\\(\\frac{a}\\)</span> and '
            '<span class="math notranslate nohighlight">\\(x\\)</span></p></body></html>')
    pages = {page: text}
    sfr._prerender_math(tmp_path, pages)
    out = pages[page]
    assert len(warned) == 1 and "\\frac{a}" in warned[0]
    # the reader sees the TeX (the site checks flag it as raw TeX), and the next formula is not shifted
    assert '<span class="math notranslate nohighlight" data-tex="\\frac{a}">\\(\\frac{a}\\)</span>' in out
    assert out.count("<math") == 1 and "<mi>x</mi>" in out


def test_a_tex_error_is_a_build_warning(tmp_path, monkeypatch):
    _needs_temml()
    warned = []
    monkeypatch.setattr(sfr.logger, "warning", lambda message, **kw: warned.append(message))
    assert sfr._typeset([("x^2", False), ("\\frac{a}", True), ("\\nocommand", False)])[0].startswith("<math")
    assert len(warned) == 2 and "\\frac{a}" in warned[0] and "\\nocommand" in warned[1]


def test_scripts_are_set_tight_as_in_tex():
    """x_{t+1}, G_{t,i}, limits and root indices: no space around an <mo> in a script, none
    removed in the base or on the line, a big operator keeps its own."""
    formula = ('<math><mrow><msub><mi>x</mi><mrow><mi>t</mi><mo>+</mo><mn>1</mn><mo separator="true">,</mo>'
               '<mi>i</mi></mrow></msub><mo>=</mo><munderover><mo movablelimits="false">∑</mo><mrow><mi>i</mi>'
               '<mo>=</mo><mn>1</mn></mrow><mi>n</mi></munderover><msup><mrow><mi>a</mi><mo>+</mo><mi>b</mi>'
               '</mrow><mrow><munder><mo>∑</mo><mi>k</mi></munder><mo>−</mo><mn>1</mn></mrow></msup><mspace width="1em"></mspace></mrow></math>')
    out = sfr.tight_scripts(formula)
    tight = re.findall(r'<mo lspace="0em" rspace="0em">([^<]*)</mo>', out)
    assert tight == ["+", "=", "−"]  # t+1 and i=1 and the exponent's minus
    assert '<mo separator="true" lspace="0em" rspace="0em">,</mo>' in out
    assert out.count("<mo>+</mo>") == 1 and "<mo>=</mo>" in out  # a+b in the base, = on the line
    assert '<mo movablelimits="false">∑</mo>' in out and "<mo>∑</mo>" in out  # big operators keep theirs
    assert "<mspace width=\"1em\"></mspace>" in out  # empty elements stay open-and-closed
    plain = "<math><mi>x</mi><mo>=</mo><mn>1</mn></math>"
    assert sfr.tight_scripts(plain) == plain
    # a fraction: its numerator and denominator are in script style inline, in text style in display
    frac = "<mfrac><mrow><mi>a</mi><mo>+</mo><mi>b</mi></mrow><mn>2</mn></mfrac>"
    assert '<mo lspace="0em" rspace="0em">+</mo>' in sfr.tight_scripts(f"<math>{frac}</math>")
    display = f'<math display="block">{frac}</math>'
    assert sfr.tight_scripts(display) == display
    tfrac = f'<math display="block"><mstyle displaystyle="false">{frac}</mstyle></math>'
    assert '<mo lspace="0em" rspace="0em">+</mo>' in sfr.tight_scripts(tfrac)
    nested = f'<math display="block"><mfrac><mrow>{frac}</mrow><mn>3</mn></mfrac></math>'
    assert '<mo lspace="0em" rspace="0em">+</mo>' in sfr.tight_scripts(nested)  # a fraction in a fraction


def test_the_math_font_holds_what_the_browser_draws():
    """A one-letter <mi> is drawn in its italic form (MathML Core's math-auto), unless
    mathvariant says otherwise; the text of every other token as it is."""
    assert [sfr.math_auto_italic(c) for c in "aAhzZıαΩω∂ϕ∇1+"] == [
        "𝑎", "𝐴", "ℎ", "𝑧", "𝑍", "𝚤", "𝛼", "𝛺", "𝜔", "𝜕", "𝜙", "𝛻", "1", "+"]
    formulas = ['<math><mi>x</mi><mo>&lt;</mo><mi mathvariant="normal">d</mi><mi>log</mi>'
                '<mtext>if </mtext><msqrt><mn>2</mn></msqrt></math>']
    assert sfr.math_characters(formulas) == {ord(c) for c in "𝑥<dlogif 2√"}
    assert 0xA0 in sfr.math_characters(["<math><mtext>\u00a0</mtext></math>"])  # a space is drawn too


def test_animation_frames_leave_the_html_and_load_on_use(tmp_path):
    frame = base64.b64encode(_png(np.zeros((4, 4, 3), np.uint8))).decode()
    html = (sfr._PRELOAD_ALL + "\n" + sfr._SET_FRAME + "\n"
            f'var frames = new Array(2);\n  frames[0] = "data:image/png;base64,{frame}"\n'
            f'  frames[1] = "data:image/png;base64,{frame}"\n setTimeout')
    out = sfr.light_frames(html, tmp_path, "../")
    files = list((tmp_path / "_images" / "anim").glob("*.png"))
    assert len(files) == 1  # equal frames share one file
    assert out.count(f'"../_images/anim/{files[0].name}"') == 2 and "base64" not in out
    assert sfr._PRELOAD_ON_USE in out and sfr._SET_FRAME_ON_USE in out


def test_theme_fixes():
    head = ('<head><script src="_static/documentation_options.js"></script>'
            '<script src="_static/doctools.js"></script><script defer src="x.js"></script>'
            '<script>inline()</script></head><body><script src="late.js"></script></body>')
    out = sfr._defer_scripts(head)
    assert '<script src="_static/documentation_options.js">' in out
    assert '<script defer src="_static/doctools.js">' in out and out.count("defer") == 2
    assert '<script src="late.js">' in out  # only the head's scripts
    fixed = sfr._fix_theme('<div id="a"></div><div id="a"></div><div role="list" class="citation-list">'
                           '<summary aria-label="Toggle hidden content">Show</summary>')
    assert 'id="a-2"' in fixed and 'role="list"' not in fixed and "aria-label" not in fixed


def test_scripts_wait_for_the_first_paint(tmp_path):
    """The deferred scripts leave the page for one loader that keeps their order and attributes;
    the tab script goes where there are no tabs; sphinx_highlight.js is marked as wanted only
    with searched-for words; the loader is valid JavaScript (node parses it) and names each file
    once."""
    page = ('<html><head>'
            '<script>DOCUMENTATION_OPTIONS.pagename = "a";</script>'
            '<script defer src="../_static/doctools.js?v=1"></script>'
            '<script defer src="../_static/sphinx_highlight.js?v=4"></script>'
            '<script defer data-sd-tabs-storage-prefix="p-" src="../_static/design-tabs.js?v=2"></script>'
            '</head><body><p>text</p><script defer="defer" src="../_static/site.js?v=3"></script>'
            '<script defer data-x="1" src="../_static/bootstrap.js?a=1&amp;b=2"></script></body></html>')
    out = sfr.scripts_after_first_paint(page)
    assert "<script defer" not in out and "design-tabs" not in out
    loader = re.search(rf'<script id="{sfr.LOADER_ID}">(/\* the theme.s scripts.*?)</script>', out, re.S).group(1)
    order = [loader.index(f) for f in ("doctools.js?v=1", "site.js?v=3", "bootstrap.js?a=1&b=2")]
    assert order == sorted(order) and '"data-x":"1"' in loader
    assert '["../_static/sphinx_highlight.js?v=4",{},1]' in loader and '["../_static/doctools.js?v=1",{}]' in loader
    assert "sphinx_highlight_terms" in loader
    assert "first-contentful-paint" in loader and out.index(loader) > out.index("<p>text</p>")
    with_tabs = sfr.scripts_after_first_paint(page.replace("<p>text</p>", '<div class="sd-tab-set"></div>'))
    assert '<script defer data-sd-tabs-storage-prefix="p-" src="../_static/design-tabs.js?v=2"></script>' in with_tabs
    if shutil.which("node"):
        js = tmp_path / "loader.js"
        js.write_text(loader)
        subprocess.run(["node", "--check", str(js)], check=True)
    assert sfr.scripts_after_first_paint("<p>no body end</p>") == "<p>no body end</p>"
    plain = "<html><head></head><body><p>x</p></body></html>"
    assert sfr.scripts_after_first_paint(plain) == plain  # nothing deferred: no loader


def test_the_loader_runs_the_scripts_in_order_and_skips_highlighting_without_search_words(tmp_path):
    """The loader itself, in node with a stand-in document: every script but sphinx_highlight.js
    is appended in order, one a task, <html> is marked ready after the last; with searched-for words in
    localStorage sphinx_highlight.js comes too."""
    if not shutil.which("node"):
        pytest.skip("node is not installed")
    page = ('<html><head></head><body>'
            '<script defer src="a.js"></script><script defer src="sphinx_highlight.js"></script>'
            '<script defer src="b.js"></script></body></html>')
    loader = re.search(r'<script id="[^"]+">(.*?)</script>', sfr.scripts_after_first_paint(page), re.S).group(1)
    harness = """
    const appended = [];
    const store = {words: WORDS};
    global.localStorage = {getItem: k => (k === 'sphinx_highlight_terms' ? store.words : null)};
    global.location = {search: SEARCH};
    const html = {dataset: {}};
    global.document = {documentElement: html, createElement: () => ({setAttribute() {}}),
                       body: {appendChild: e => { if (e.async !== false || html.dataset.soScripts) throw new Error('async or ready'); appended.push(e); }}};
    global.window = {addEventListener: () => {}};
    global.requestAnimationFrame = f => f();
    const tasks = [];
    global.setTimeout = f => { tasks.push(f); };
    LOADER
    const perTask = [];  // the scripts appended by each task
    while (tasks.length) { const before = appended.length; tasks.shift()(); perTask.push(appended.length - before); }
    if (appended.length && html.dataset.soScripts !== undefined) throw new Error('ready before the last script ran');
    if (appended.length) appended[appended.length - 1].onload();
    console.log(JSON.stringify([appended.map(e => e.src), html.dataset.soScripts, perTask.filter(n => n > 1).length]));
    """
    import json
    only = ('<html><head></head><body><script defer src="sphinx_highlight.js"></script></body></html>')
    only_loader = re.search(r'<script id="[^"]+">(.*?)</script>', sfr.scripts_after_first_paint(only), re.S).group(1)
    for words, search, script, expected in (
            (None, "", loader, ["a.js", "b.js"]),
            ('"x"', "", loader, ["a.js", "sphinx_highlight.js", "b.js"]),
            (None, "?highlight=x", loader, ["a.js", "sphinx_highlight.js", "b.js"]),
            (None, "", only_loader, [])):  # nothing left to load: ready at once
        js = tmp_path / "run.js"
        js.write_text(harness.replace("WORDS", words or "null").replace("SEARCH", repr(search))
                      .replace("LOADER", script))
        out = subprocess.run(["node", str(js)], check=True, capture_output=True, text=True).stdout
        assert json.loads(out) == [expected, "ready", 0]  # one script a task


def test_documentation_options_go_into_the_page(tmp_path):
    (tmp_path / "_static").mkdir()
    (tmp_path / "_static" / "documentation_options.js").write_text("const DOCUMENTATION_OPTIONS = {A: 1};")
    (tmp_path / "book").mkdir()
    text = '<head><script src="../_static/documentation_options.js?v=9"></script><script>x()</script></head>'
    out = sfr.inline_options(text, tmp_path / "book" / "a.html")
    assert out == "<head><script>const DOCUMENTATION_OPTIONS = {A: 1};</script><script>x()</script></head>"


def _theme_script(package: str, name: str) -> str:
    """A script of the installed (pinned) theme, as Sphinx copies it into _static/scripts."""
    theme = pytest.importorskip(package)
    return (Path(theme.__file__).parent / "theme" / package / "static" / "scripts" / name).read_text(encoding="utf8")


def test_the_theme_script_loses_its_whole_page_layout_at_load():
    """pydata-sphinx-theme's load-time pass over every code block (a forced layout of the whole
    page) goes; the rest of the script stays; the installed theme's script has it where expected."""
    js = _theme_script("pydata_sphinx_theme", "pydata-sphinx-theme.js")
    quiet, found = sfr.quiet_theme_script(js)
    assert found, "the pinned pydata-sphinx-theme changed its tab-stop pass: update _THEME_TAB_STOPS"
    assert ".pst-scrollable-table-container" not in quiet and "scrollHeight>" not in quiet
    assert 0 < len(js) - len(quiet) < 1000 and "IntersectionObserver" in quiet  # the TOC spy stays
    assert sfr.quiet_theme_script(quiet) == (quiet, False)  # a second pass changes nothing
    # site.js takes over, lazily, every box the theme used to check
    site_js = (ROOT / "book/_static/site.js").read_text(encoding="utf8")
    for selector in ("pre", ".cell_output > .output", ".nboutput > .output_area",
                     "div.pst-scrollable-table-container"):
        assert selector in site_js


def test_bootstrap_makes_its_tooltips_when_first_used():
    """The installed theme's bootstrap.js makes every tooltip at load; the patched one makes a
    tooltip when the pointer or focus first reaches its element, with the theme's options."""
    js = _theme_script("pydata_sphinx_theme", "bootstrap.js")
    lazy, found = sfr.lazy_tooltips(js)
    assert found, "the pinned pydata-sphinx-theme changed its tooltip set-up: update _EAGER_TOOLTIPS"
    assert "querySelectorAll('[data-bs-toggle=\"tooltip\"]')" not in lazy
    assert sfr.LAZY_TOOLTIPS in lazy and lazy.count('addEventListener("mouseover",f,!0)') == 1
    assert 'addEventListener("focusin",f,!0)' in lazy and "{delay:{show:500,hide:100}}" in lazy
    start = js.index("go(function(){[].slice")  # the rest of the script is untouched
    end = js.index("{delay:{show:500,hide:100}})})})", start) + len("{delay:{show:500,hide:100}})})})")
    assert lazy.startswith(js[:start]) and lazy.endswith(js[end:]) and len(js) - end > 100
    assert sfr.lazy_tooltips(lazy) == (lazy, False)  # a second pass changes nothing


def test_tooltip_elements_are_left_as_bootstraps_tooltip_leaves_them():
    """The title moves to data-bs-original-title; an icon-only element (no text, no aria-label)
    takes it as its aria-label; an element with text or its own aria-label keeps its name;
    data-bs-title and a child's title are not the element's title."""
    page = ('<button class="b" title="Toggle primary sidebar" data-bs-toggle="tooltip">\n'
            '  <span class="fa-solid fa-bars"></span>\n</button>'
            '<a href="x.ipynb" title="Download notebook file" data-bs-toggle="tooltip"><span>.ipynb</span></a>'
            '<button title="Search" aria-label="Search" data-bs-toggle="tooltip"><i class="fa"></i></button>'
            '<button aria-label="Color mode" data-bs-title="Color mode" data-bs-toggle="tooltip">'
            '<i title="Light"></i></button><button title="plain">no tooltip</button>')
    out = sfr.tooltip_names(page)
    assert out == ('<button class="b" data-bs-original-title="Toggle primary sidebar" data-bs-toggle="tooltip" '
                   'aria-label="Toggle primary sidebar">\n  <span class="fa-solid fa-bars"></span>\n</button>'
                   '<a href="x.ipynb" data-bs-original-title="Download notebook file" data-bs-toggle="tooltip">'
                   '<span>.ipynb</span></a>'
                   '<button data-bs-original-title="Search" aria-label="Search" data-bs-toggle="tooltip">'
                   '<i class="fa"></i></button>'
                   '<button aria-label="Color mode" data-bs-title="Color mode" data-bs-toggle="tooltip">'
                   '<i title="Light"></i></button><button title="plain">no tooltip</button>')
    assert sfr.tooltip_names(out) == out


def test_icons_are_hidden_from_screen_readers():
    page = ('<i class="fa-solid fa-bars"></i><span class="btn fa-brands fa-github x"></span>'
            '<i class="fas fa-code" aria-hidden="true"></i><i class="theme-switch fa-solid fa-sun" title="Light"></i>'
            '<i class="fast">text</i><span class="fab"/><em class="fa">no</em>')
    assert sfr.hide_icons(page) == (
        '<i class="fa-solid fa-bars" aria-hidden="true"></i><span class="btn fa-brands fa-github x" aria-hidden="true"></span>'
        '<i class="fas fa-code" aria-hidden="true"></i><i class="theme-switch fa-solid fa-sun" title="Light" aria-hidden="true"></i>'
        '<i class="fast">text</i><span class="fab" aria-hidden="true"/><em class="fa">no</em>')
    # a ">" inside a quoted value, and a class-like data attribute
    assert sfr.hide_icons('<i class="fa fa-x" title="a > b"></i><span data-class="fa x">t</span>') == (
        '<i class="fa fa-x" title="a > b" aria-hidden="true"></i><span data-class="fa x">t</span>')


def test_copybutton_parses_its_button_once():
    """The installed sphinx-copybutton's script, patched: no per-block HTML parse, one clone a
    block, each pointing at its own block, and nothing left in the page's globals."""
    copybutton = pytest.importorskip("sphinx_copybutton")
    template = Path(copybutton.__file__).parent / "_static" / "copybutton.js_t"
    js = template.read_text(encoding="utf8")
    cloned, found = sfr.cloned_copy_buttons(js)
    assert found, "the pinned sphinx-copybutton changed its button insertion: update _COPYBUTTON_INSERT"
    assert "insertAdjacentHTML" not in cloned and "cloneNode(true)" in cloned
    assert "setAttribute('data-clipboard-target', `#${id}`)" in cloned
    assert cloned.count("window.") == js.count("window.") and cloned.count("let parsed = null") == 1
    assert sfr.cloned_copy_buttons(cloned) == (cloned, False)


def test_one_stylesheet_per_page_in_order_with_urls_rebased_and_unused_rules_gone(tmp_path):
    static = tmp_path / "_static"
    (static / "styles").mkdir(parents=True)
    (static / "basic.css").write_text("div.body { color: black; }\n")
    (static / "styles" / "theme.css").write_text('@import "../basic.css";\n')
    (static / "styles" / "pydata-sphinx-theme.css").write_text(
        '@font-face{font-family:X;src:url(../vendor/x.woff) format("woff")}'
        ".used{color:red}.unused{color:blue}.used,.gone{margin:0}"
        "@media (min-width:10px){.gone{x:y}.used .also-unused{x:y}}"
        ".bs-tooltip-top{a:b}:not(.whatever) .used{c:d}/* it's a comment */.js-added{e:f}")
    (static / "site.css").write_text(".unused-but-ours { color: green; }")
    (static / "x.js").write_text('el.classList.add("js-added"); cls = "bs-tooltip-" + where;')
    head = ('<head>\n<link href="../_static/styles/theme.css?digest=1" rel="stylesheet" />\n'
            '<link href="../_static/styles/pydata-sphinx-theme.css?digest=1" rel="stylesheet" />\n'
            '<script>inline()</script>\n'
            '<link rel="stylesheet" type="text/css" href="../_static/site.css?v=2" />\n'
            '<link rel="preload" as="script" href="../_static/scripts/bootstrap.js?digest=1" />\n'
            '</head><body class="used"></body>')
    (tmp_path / "book").mkdir()
    pages = {tmp_path / "book" / "a.html": head, tmp_path / "book" / "b.html": head}
    sizes = sfr.bundle_stylesheets(tmp_path, pages)
    # the same set of stylesheets, one shared bundle, its @font-face rules in it
    assert len(sizes) == 1
    name = next(iter(sizes))
    for text in pages.values():
        assert text.count(f'<link rel="stylesheet" href="../_static/{name}" />') == 1
        assert text.count('rel="stylesheet"') == 1
        assert text.index(name) < text.index("inline()")  # where the first stylesheet was
    css = (static / name).read_text()
    assert css.index("div.body") < css.index(".used{color:red}") < css.index(".unused-but-ours")
    assert '@font-face{font-family:X;src:url(vendor/x.woff) format("woff")}' in css
    for kept in (".used{color:red}", ".used{margin:0}", ".bs-tooltip-top", ":not(.whatever) .used",
                 ".js-added", ".unused-but-ours"):
        assert kept in css, kept
    for gone in (".unused{", ".gone", "also-unused", "@media"):
        assert gone not in css, gone
    assert "preload" not in sfr.drop_script_preloads(head) and "site.css" in sfr.drop_script_preloads(head)


def test_a_bundle_a_page_still_links_is_not_removed_as_stale(tmp_path):
    """A page Sphinx did not write again (an incremental build) still links the bundle of the
    build before; that bundle stays, an unlinked one goes."""
    static = tmp_path / "_static"
    static.mkdir()
    (static / "a.css").write_text(".x{color:red}")
    (static / "b.css").write_text(".y{color:blue}")
    (static / "bundle-000000000001.css").write_text(".x{color:green}")
    (static / "bundle-000000000002.css").write_text("/* no page links it */")
    (tmp_path / "book").mkdir()
    fresh = ('<head>\n<link rel="stylesheet" href="../_static/a.css" />\n<link rel="stylesheet" href="../_static/b.css" />\n'
             '</head><body class="x y"></body>')
    old = '<head>\n<link rel="stylesheet" href="../_static/bundle-000000000001.css" />\n</head><body class="x"></body>'
    pages = {tmp_path / "book" / "fresh.html": fresh, tmp_path / "book" / "old.html": old}
    sizes = sfr.bundle_stylesheets(tmp_path, pages)
    assert (static / "bundle-000000000001.css").is_file() and not (static / "bundle-000000000002.css").exists()
    assert all((static / name).is_file() for name in sizes)
    assert pages[tmp_path / "book" / "old.html"] == old


def test_the_first_screen_fonts_are_preloaded_before_the_stylesheet(tmp_path):
    """A page preloads the faces its header's icons draw with, and the math font if a formula
    starts in the first 2,500 characters of its text, each once, before the bundle."""
    css = ('@font-face{font-display:block;font-family:Font Awesome\\ 6 Free;font-weight:900;'
           'src:url(vendor/fa-solid.woff) format("woff")}\n'
           '@font-face{font-family:Font Awesome\\ 6 Free;font-weight:400;src:url(vendor/fa-regular.woff) format("woff")}\n'
           '@font-face {\n  font-family: "STIX Two Math";\n  src: url("math/STIX.woff") format("woff");\n'
           '  font-display: swap;\n}\n')
    faces = sfr.font_faces(css)
    assert faces[("Font Awesome 6 Free", 900)] == ("vendor/fa-solid.woff", "woff")
    assert faces[("STIX Two Math", 400)] == ("math/STIX.woff", "woff")
    formula = '<math><mi>x</mi></math>'
    page = (f'<header><i class="fa-solid fa-bars"></i></header><article><p>x {formula} {formula}</p>'
            f'<p>{"word " * 600}</p></article>')
    assert sfr.first_screen_fonts(page, faces) == [("vendor/fa-solid.woff", "woff"), ("math/STIX.woff", "woff")]
    late = page.replace(f"x {formula} {formula}", "x").replace("</p></article>", f"</p><p>{formula}</p></article>")
    assert sfr.first_screen_fonts(late, faces) == [("vendor/fa-solid.woff", "woff")]
    assert sfr.first_screen_fonts("<p>no article</p>", faces) == []
    # in the bundle: the preloads come before the stylesheet
    static = tmp_path / "_static"
    static.mkdir()
    (static / "a.css").write_text(css)
    (static / "b.css").write_text(".x{color:red}")
    (tmp_path / "book").mkdir()
    head = ('<head>\n<link rel="stylesheet" href="../_static/a.css" />\n<link rel="stylesheet" href="../_static/b.css" />\n'
            '</head><body class="x">' + page + "</body>")
    pages = {tmp_path / "book" / "p.html": head}
    sfr.bundle_stylesheets(tmp_path, pages)
    text = pages[tmp_path / "book" / "p.html"]
    preloads = re.findall(r'<link rel="preload" href="([^"]+)" as="font" type="font/woff" crossorigin />', text)
    assert preloads == ["../_static/vendor/fa-solid.woff", "../_static/math/STIX.woff"]
    assert text.index("math/STIX.woff") < text.index('rel="stylesheet"')


def test_code_keeps_only_the_spans_that_change_its_look():
    """Token classes coloured like the code around them in every theme, and named by no other
    selector that could match them, lose their <span> inside code blocks only; the text is the
    same."""
    css = ('html[data-theme="light"] .highlight { background: #fff; color: #080808 }\n'
           'html[data-theme="dark"] .highlight { background: #222; color: #F8F8F2 }\n'
           'html[data-theme="light"] .highlight .n { color: #080808 }\nhtml[data-theme="dark"] .highlight .n { color: #F8F8F2 }\n'
           'html[data-theme="light"] .highlight .o { color: #00622F }\nhtml[data-theme="dark"] .highlight .o { color: #F8F8F2 }\n'
           'html[data-theme="light"] .highlight .p { color: #080808 }\nhtml[data-theme="dark"] .highlight .p { color: #F8F8F2 }\n'
           'html[data-theme="light"] .highlight .w { color: #080808 }\nhtml[data-theme="dark"] .highlight .w { color: #f8f8f2 }\n'
           'html[data-theme="light"] .highlight .k { color: #080808; font-weight: bold }\n'
           'html[data-theme="dark"] .highlight .k { color: #F8F8F2 }\n'
           'html[data-theme="light"] .highlight .gp { color: #080808 }\nhtml[data-theme="dark"] .highlight .gp { color: #F8F8F2 }\n'
           '.sig-param.n { font-style: italic }\npre .p + span { margin: 0 }\npre { color: #222832 }\n')
    plain = sfr.plain_token_classes(css)
    assert plain == {"n", "w"}  # o: another colour; k: bold; p: a sibling rule; gp: the prompt
    assert sfr.plain_token_classes(css + "a:not(.w) { color: red }") == {"n"}
    # the theme's pre colour would draw the unwrapped text: blocks that lost spans get .highlight's
    assert sfr.code_colour_rules(css) == ('html[data-theme="dark"] .highlight pre.so-plain { color: #f8f8f2 }\n'
                                          'html[data-theme="light"] .highlight pre.so-plain { color: #080808 }\n')
    code = ('<div class="highlight"><pre><span></span><span class="n">x</span><span class="w"> </span>'
            '<span class="o">=</span><span class="w"> </span><span class="n">f</span><span class="p">(</span></pre></div>')
    output = '<div class="highlight"><pre>3.0\n</pre></div>'
    out = sfr.plain_code_spans(f'<p><span class="n">sig</span></p>{code}{output}', plain)
    assert out == ('<p><span class="n">sig</span></p><div class="highlight"><pre class="so-plain"><span></span>x '
                   '<span class="o">=</span> f<span class="p">(</span></pre></div>' + output)
    assert re.sub(r"<[^>]+>", "", out) == re.sub(r"<[^>]+>", "", f'<p><span class="n">sig</span></p>{code}{output}')
    tagged = sfr.plain_code_spans(code.replace("<pre>", '<pre id="c0" class="x">'), plain)
    assert tagged.startswith('<div class="highlight"><pre id="c0" class="so-plain x">')
    assert sfr.plain_code_spans(code, set()) == code


def test_the_book_theme_script_skips_its_search_for_margin_content_when_there_is_none():
    js = _theme_script("sphinx_book_theme", "sphinx-book-theme.js")
    quiet, found = sfr.quiet_book_theme_script(js, {"section", "math"})
    assert found, "the pinned sphinx-book-theme changed its margin-content search: update _BOOK_THEME_MARGIN_QUERY"
    assert "querySelectorAll(n.join" not in quiet and "IntersectionObserver" in quiet
    assert sfr.quiet_book_theme_script(js, {"margin"}) == (js, True)  # a margin note keeps it
    assert sfr.quiet_book_theme_script(quiet, set()) == (quiet, False)
