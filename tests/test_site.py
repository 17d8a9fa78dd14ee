"""Checks of the built site in ``_build/html``, as a reader's browser sees it.

Run by ``make test`` after ``make book`` (``pytest -m site tests/test_site.py``); the plain library
run deselects them with ``-m "not site"``. Without a built site, or without Debian's chromium
(``apt-get install chromium``), they skip, except under CI (env ``CI`` set), where they fail.

Set ``SITE_SCREENSHOTS=<dir>`` to also save a full-page screenshot of every page there.

The limits of a page for every reader (issue 15) are measured by ``tests/site_audit.py``: HTML at
most 1 MB and everything a cold-cache first load fetches (lazy images included, uncompressed) at
most 2.5 MB; axe-core finds no critical or serious violation; at 390 px the page does not scroll
sideways, nothing is clipped, nothing leaves the window unless its own box scrolls, and figure
text is at least 9 CSS px; Lighthouse (mobile, default throttling) scores performance >= 0.9 with
LCP <= 2.5 s in the median of three runs, and accessibility 1.0, best practices >= 0.95 and
SEO >= 0.9 in every run (three runs take about a minute a page), so ``make test`` runs it on
``site_audit.LIGHTHOUSE_SAMPLE``; ``make lighthouse`` (``SITE_LIGHTHOUSE=all``) runs it on every page.
"""

from __future__ import annotations

import html as _html
import os
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

import site_audit

pytestmark = pytest.mark.site

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
EXECUTED = ROOT / "_build" / "jupyter_execute"
CHROMIUM = site_audit.CHROMIUM
MAX_PAGE_SECONDS = 30.0
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
IN_CI = os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def _missing(reason: str) -> None:
    """Skip on a developer's machine, fail in CI: there a skipped check would pass silently."""
    if IN_CI:
        pytest.fail(f"{reason} (CI is set, so this is a failure, not a skip)")
    pytest.skip(reason)


def _toc_docnames() -> list[str]:
    """The documents of _toc.yml (root first), in reading order."""
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf8"))
    names = [toc["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                names.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk({k: v for k, v in toc.items() if k != "root"})
    return [re.sub(r"\.(md|ipynb)$", "", name) for name in names]


DOCNAMES = _toc_docnames()


@pytest.fixture(scope="module")
def site() -> Path:
    if not (HTML / "index.html").is_file():
        _missing(f"no built site in {HTML}: run `make book` first")
    return HTML


def _page(site: Path, docname: str) -> Path:
    path = site / f"{docname}.html"
    assert path.is_file(), f"{docname} is in _toc.yml but {path} was not built"
    return path


# ---------------------------------------------------------------------------------------------
# (a) static checks of every page's output cells
# ---------------------------------------------------------------------------------------------


class _OutputCells(HTMLParser):
    """Collect the text of myst-nb's output cells and the classes of their output blocks."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self._stack: list[bool] = []  # for each open element: is it inside a cell output?
        self.outputs: list[str] = []  # the text of each cell_output
        self.classes: list[list[str]] = []  # class lists of every element inside an output

    def handle_starttag(self, tag, attrs):
        if tag in {"br", "img", "hr", "input", "meta", "link", "source", "wbr", "col"}:
            return  # void elements have no end tag
        classes = (dict(attrs).get("class") or "").split()
        inside = bool(self._stack and self._stack[-1])
        if "cell_output" in classes and not inside:
            self.outputs.append("")
            inside = True
        if inside:
            self.classes.append(classes)
        self._stack.append(inside)

    def handle_endtag(self, tag):
        if self._stack:
            self._stack.pop()

    def handle_data(self, data):
        if self._stack and self._stack[-1]:
            self.outputs[-1] += data


WARNING_TEXT = re.compile(r"\b[A-Za-z]*Warning\b")


@pytest.mark.parametrize("docname", DOCNAMES)
def test_output_cells_are_clean(site, docname):
    """No traceback, no warning and no stderr in any output cell."""
    parser = _OutputCells()
    parser.feed(_page(site, docname).read_text(encoding="utf8"))
    problems = []
    for classes in parser.classes:
        if "output" in classes and "stderr" in classes:
            problems.append("a cell wrote to stderr (myst-nb's `output stderr` block)")
        if "output" in classes and "traceback" in classes:
            problems.append("a cell raised (myst-nb's `output traceback` block)")
    for i, text in enumerate(parser.outputs, 1):
        if "Traceback (most recent call last)" in text:
            problems.append(f"output {i} shows a Python traceback: {text.strip()[:300]!r}")
        if match := WARNING_TEXT.search(text):
            start = max(match.start() - 120, 0)
            problems.append(f"output {i} shows a warning: {text[start : start + 300].strip()!r}")
    assert not problems, f"{docname}.html:\n  " + "\n  ".join(dict.fromkeys(problems))


# ---------------------------------------------------------------------------------------------
# the build report and the download menu
# ---------------------------------------------------------------------------------------------


class _Tables(HTMLParser):
    """The rows of every table, as lists of cell texts."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self._cell: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in {"td", "th"}:
            self._cell = ""

    def handle_endtag(self, tag):
        if tag in {"td", "th"} and self._cell is not None:
            self.rows[-1].append(" ".join(self._cell.split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


def _notebook_docnames() -> list[str]:
    """Pages that myst-nb executed (it writes each one's executed notebook)."""
    return [d for d in DOCNAMES if (EXECUTED / f"{d}.ipynb").is_file()]


def test_every_page_executes_quickly(site):
    """The nb-exec-table build report lists every notebook page, executed fine, each in < 30 s."""
    report = [d for d in DOCNAMES if d.endswith("build_report")]
    assert report, "_toc.yml has no build_report page"
    tables = _Tables()
    tables.feed(_page(site, report[0]).read_text(encoding="utf8"))
    header, *rows = [row for row in tables.rows if row]
    assert header == ["Document", "Modified", "Method", "Run Time (s)", "Status"], header
    table = {row[0]: dict(zip(header, row)) for row in rows}
    missing = [d for d in _notebook_docnames() if d not in table]
    assert not missing, f"executed pages missing from the build report: {missing}"
    failed = [doc for doc, row in table.items() if row["Status"] != "✅"]
    assert not failed, f"pages whose execution failed: {failed}"
    slow = {
        doc: float(row["Run Time (s)"])
        for doc, row in table.items()
        if row["Run Time (s)"] != "-" and float(row["Run Time (s)"]) >= MAX_PAGE_SECONDS
    }
    assert not slow, f"pages executing in {MAX_PAGE_SECONDS:.0f} s or more: {slow}"


@pytest.mark.parametrize("docname", DOCNAMES)
def test_notebook_pages_offer_their_ipynb(site, docname):
    """Every notebook page's download menu links its executed notebook, and the file is there."""
    if docname not in _notebook_docnames():
        pytest.skip(f"{docname} is not a notebook")
    html = _page(site, docname).read_text(encoding="utf8")
    assert f"_sources/{docname}.ipynb" in html, f"{docname}.html has no .ipynb download link"
    assert (site / "_sources" / f"{docname}.ipynb").is_file()


# ---------------------------------------------------------------------------------------------
# (b) every page in headless chromium
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(site):
    """The site over HTTP on a free port of 127.0.0.1, gzip-compressed as a static host sends it."""
    with site_audit.Server(site) as running:
        yield running.url


@pytest.fixture(scope="module")
def chromium():
    """One Debian chromium for all pages (playwright's sync API allows one driver per thread)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright package is missing: pip install -e '.[test]'")
    if not CHROMIUM.exists():
        _missing(f"{CHROMIUM} is missing: apt-get install chromium")
    playwright = sync_playwright().start()
    try:
        browser = site_audit.launch(playwright)
    except Exception:
        playwright.stop()
        raise
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture(scope="module")
def browser(chromium):
    """One browsing context (so one HTTP cache) for all pages."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
    yield context
    context.close()


# Loads every image eagerly (lazy ones too) and waits for the math (MathJax's first typeset, in a
# build without node); returns what is broken: images with no pixels, math left untypeset or in
# error, math whose font did not load, and raw TeX left in the text.
_INSPECT = """
async () => {
  const imgs = Array.from(document.images);
  await Promise.all(imgs.map(img => {
    img.loading = "eager";
    if (img.complete) return null;
    return new Promise(done => {
      img.addEventListener("load", done, {once: true});
      img.addEventListener("error", done, {once: true});
      setTimeout(done, 10000);
    });
  }));
  const brokenImages = imgs.filter(img => img.naturalWidth === 0)
                           .map(img => img.getAttribute("src"));
  const mathElements = Array.from(document.querySelectorAll(".math"));
  let mathjax = null;
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
    mathjax = MathJax.version || "unknown";
  } else if (document.querySelector(".math[data-tex] math")) {
    mathjax = "pre-rendered at build time";
  }
  await document.fonts.ready;  // the math font, requested as the formulas were laid out
  const mathFont = Array.from(document.fonts).filter(f => f.family.replace(/"/g, "") === "STIX Two Math")
                        .map(f => f.status);
  const untypeset = mathElements.filter(el => !el.querySelector("math, mjx-container"))
                                .map(el => el.textContent.trim().slice(0, 80));
  const mathErrors = Array.from(document.querySelectorAll("merror, .temml-error, mjx-merror"))
                          .map(el => (el.getAttribute("data-mjx-error") || el.textContent).slice(0, 80));
  const body = document.querySelector("main") || document.body;
  const clone = body.cloneNode(true);
  clone.querySelectorAll("pre, code, script, style, textarea, math, mjx-container")
       .forEach(el => el.remove());
  const text = clone.textContent;
  return {brokenImages, mathCount: mathElements.length, mathjax, mathFont, untypeset, mathErrors, text};
}
"""

# $$, \( \) \[ \], \begin{, or $...$ around TeX-only characters (\ ^ _ {): math MathJax never saw
RAW_TEX = re.compile(r"\$\$|\\[()\[\]]|\\begin\{|\$[^$\n]*[\\^_{][^$\n]*\$")


@pytest.mark.parametrize("docname", DOCNAMES)
def test_page_in_browser(browser, server, docname):
    """No console error, failed request, outside request, broken image or unrendered math."""
    _page(HTML, docname)
    page = browser.new_page()
    outside: list[str] = []

    def on_request(request):
        url = request.url
        if not url.startswith(("data:", "blob:")) and urlsplit(url).hostname not in LOCAL_HOSTS:
            outside.append(url)

    page.on("request", on_request)
    console_errors: list[str] = []
    failed: list[str] = []
    page.on(
        "console",
        lambda msg: console_errors.append(f"{msg.text} ({msg.location.get('url', '')})")
        if msg.type == "error"
        else None,
    )
    page.on("pageerror", lambda exc: console_errors.append(f"uncaught: {exc}"))
    page.on(
        "requestfailed",
        lambda req: failed.append(f"{req.url}: {req.failure}") if req.url not in outside else None,
    )
    page.on(
        "response",
        lambda resp: failed.append(f"{resp.url}: HTTP {resp.status}") if resp.status >= 400 else None,
    )
    try:
        response = site_audit.open_page(page, f"{server}/{docname}.html", timeout_ms=30_000)
        assert response is not None and response.ok, f"{docname}.html: {response and response.status}"
        found = page.evaluate(_INSPECT)
        if shots := os.environ.get("SITE_SCREENSHOTS"):
            Path(shots).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(shots) / f"{docname.replace('/', '_')}.png"), full_page=True)
    finally:
        page.close()

    problems = []
    problems += [f"request to an outside host: {url}" for url in outside]
    problems += [f"console error: {msg}" for msg in console_errors]
    problems += [f"failed request: {msg}" for msg in failed]
    problems += [f"broken image: {src}" for src in found["brokenImages"]]
    if found["mathCount"] and not found["mathjax"]:
        problems.append(f"{found['mathCount']} math elements, neither pre-rendered nor typeset by MathJax")
    if found["mathjax"] == "pre-rendered at build time" and (
            not found["mathFont"] or any(status != "loaded" for status in found["mathFont"])):
        problems.append(f"the math font STIX Two Math did not load: {found['mathFont']}")
    problems += [f"math not typeset: {tex!r}" for tex in found["untypeset"]]
    problems += [f"math error: {err!r}" for err in found["mathErrors"]]
    for match in RAW_TEX.finditer(found["text"]):
        context_text = found["text"][max(match.start() - 60, 0) : match.end() + 60]
        problems.append(f"raw TeX in the text: {' '.join(context_text.split())!r}")
    assert not problems, f"{docname}.html:\n  " + "\n  ".join(problems)


def test_buttons_are_named_and_show_their_tooltips(browser, server):
    """Bootstrap's tooltips are made on first use (site_for_readers.lazy_tooltips), so before any
    is hovered every button and link must already have its name (tooltip_names), and no name may
    be an icon's glyph (Unicode's private use area, where Font Awesome draws); hovering an icon
    button and focusing another shows each one's tooltip."""
    docname = "book/momentum"
    _page(HTML, docname)
    page = browser.new_page()
    try:
        site_audit.open_page(page, f"{server}/{docname}.html", timeout_ms=30_000)
        tree = page.context.new_cdp_session(page).send("Accessibility.getFullAXTree")["nodes"]
        named = [(n["role"]["value"], n.get("name", {}).get("value", "")) for n in tree
                 if not n.get("ignored") and n.get("role", {}).get("value") in ("button", "link")]
        unnamed = [(role, name) for role, name in named
                   if not name.strip() or re.search("[\ue000-\uf8ff]", name)]
        assert len(named) > 20 and not unnamed, f"{docname}.html: buttons or links without a name: {unnamed}"
        # as Bootstrap's Tooltip leaves its element (tooltip_names): no title left to show as a
        # second, native tooltip, and the icon-only buttons named by it
        left = page.locator('[data-bs-toggle="tooltip"][title]').count()
        labels = [page.locator(sel).first.get_attribute("aria-label")
                  for sel in (".btn-fullscreen-button", ".primary-toggle")]
        assert left == 0 and labels == ["Fullscreen mode", "Toggle primary sidebar"], (left, labels)
        shown = {}
        for action, sel in (("hover", ".btn-fullscreen-button"), ("focus", ".primary-toggle")):
            getattr(page.locator(sel).first, action)(timeout=5000)
            tip = page.locator(".tooltip.show")
            tip.wait_for(timeout=3000)
            shown[action] = tip.inner_text()
            page.mouse.move(640, 850)
            page.evaluate("() => document.activeElement && document.activeElement.blur()")
            tip.wait_for(state="detached", timeout=3000)
        assert shown == {"hover": "Fullscreen mode", "focus": "Toggle primary sidebar"}, shown
    finally:
        page.close()


def test_api_page_covers_every_module():
    """Every public module of smoothopt has its section on the API page."""
    modules = sorted(p.stem for p in (ROOT / "smoothopt").glob("*.py") if not p.stem.startswith("_"))
    api = (ROOT / "book" / "api.md").read_text(encoding="utf8")
    missing = [m for m in modules if f"smoothopt.{m}" not in api]
    assert not missing, f"book/api.md documents no {', '.join('smoothopt.' + m for m in missing)}"


# One token element of each kind (tag, mathvariant, text) on the page, marked for the probe below.
_MARK_TOKENS = """
() => {
  const seen = new Set();
  let n = 0;
  for (const el of document.querySelectorAll(".math math :is(mi, mo, mn, mtext, ms)")) {
    const key = el.tagName + "|" + (el.getAttribute("mathvariant") || "") + "|" + el.textContent;
    if (el.textContent.trim() === "" || seen.has(key)) continue;
    seen.add(key);
    el.setAttribute("data-so-probe", String(n++));
  }
  return n;
}
"""


@pytest.mark.parametrize("docname", DOCNAMES)
def test_math_is_drawn_in_its_font(browser, server, docname):
    """Every symbol of every formula is drawn in STIX Two Math, as the browser reports the fonts
    it drew each token with: none falls back to another font because the font cut at build time
    lacks it (a one-letter <mi> is drawn in its italic form, which the cut has to hold too)."""
    html = _page(HTML, docname).read_text(encoding="utf8")
    if "<math" not in html:
        pytest.skip(f"{docname} has no pre-rendered math")
    page = browser.new_page()
    try:
        site_audit.open_page(page, f"{server}/{docname}.html", timeout_ms=30_000)
        page.evaluate("() => document.fonts.ready")
        marked = page.evaluate(_MARK_TOKENS)
        cdp = page.context.new_cdp_session(page)
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        nodes = cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": "[data-so-probe]"})["nodeIds"]
        elsewhere = []
        for node in nodes:
            fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
            others = sorted({f["familyName"] for f in fonts} - {"STIX Two Math"})
            if others:
                outer = cdp.send("DOM.getOuterHTML", {"nodeId": node})["outerHTML"]
                elsewhere.append(f"{outer[:90]} drawn in {others}")
    finally:
        page.close()
    assert len(nodes) == marked > 0
    assert not elsewhere, f"{docname}.html: {len(elsewhere)} of {marked} kinds of token fall back:\n  " + "\n  ".join(elsewhere[:20])


# ---------------------------------------------------------------------------------------------
# (c) every reader: weight, screen readers, phones, Lighthouse (issue 15)
# ---------------------------------------------------------------------------------------------


ALL_PAGES = DOCNAMES + ["search", "genindex", "py-modindex"]


@pytest.mark.parametrize("docname", ALL_PAGES)
def test_page_html_is_light_and_described(site, docname):
    """HTML at most 1 MB; a meta description; every image has alt text that is not a file path;
    every id is unique; no Font Awesome or MathJax script (icons are a webfont, math is MathML)."""
    path = site / f"{docname}.html"
    if not path.is_file():
        pytest.skip(f"{path} was not built")
    html = path.read_text(encoding="utf8")
    problems = []
    if (size := path.stat().st_size) > site_audit.MAX_HTML_BYTES:
        problems.append(f"HTML is {size / 1e6:.2f} MB, over {site_audit.MAX_HTML_BYTES / 1e6:g} MB")
    description = re.search(r'<meta name="description" content="([^"]{30,})"', html)
    if not description:
        problems.append("no meta description of at least 30 characters")
    for img in re.findall(r"<img\b[^>]*>", html):
        alt = re.search(r'\balt="([^"]*)"', img)
        if alt is None or len(alt.group(1).strip()) < 10 or re.search(r"\.(png|svg|jpe?g)$", alt.group(1)):
            problems.append(f"image without alt text that says what it shows: {img[:160]}")
    ids = re.findall(r'\sid="([^"]+)"', re.sub(r"<script.*?</script>", "", html, flags=re.S))
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        problems.append(f"ids used more than once: {repeated}")
    if "fontawesome.js" in html:
        problems.append("loads the 1.5 MB Font Awesome script")
    # a MyST role inside $...$ is not run: the reader sees its letters typeset as math
    problems += [f"a role inside math, typeset as letters: {_html.unescape(tex)[:80]!r}"
                 for tex in re.findall(r'data-tex="([^"]*\{(?:glue(?::\w+)?|doc|ref|eq|numref)\}`[^"]*)"', html)]
    prerendering = (ROOT / "book" / "_ext" / "node_modules" / "temml").is_dir() or IN_CI
    if prerendering and re.search(r"<script[^>]*mathjax", html):
        problems.append("loads the MathJax script (the math should be pre-rendered: make node-tools)")
    assert not problems, f"{docname}.html:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("docname", ALL_PAGES)
def test_page_for_every_reader(chromium, server, site, docname):
    """Cold-cache weight, axe-core, and the layout at 1280 px and at 390 px."""
    if not (site / f"{docname}.html").is_file():
        pytest.skip(f"{docname}.html was not built")
    if not site_audit.AXE_JS.is_file():
        _missing(f"{site_audit.AXE_JS} is missing: make node-tools")
    shots = os.environ.get("SITE_SCREENSHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
    found = site_audit.measure_page(chromium, f"{server}/{docname}.html",
                                    screenshots=Path(shots) if shots else None,
                                    name=docname.replace("/", "_"))
    problems = []
    if found["decoded_bytes"] > site_audit.MAX_FIRST_LOAD_BYTES:
        problems.append(f"a cold first load fetches {found['decoded_bytes'] / 1e6:.2f} MB "
                        f"(uncompressed), over {site_audit.MAX_FIRST_LOAD_BYTES / 1e6:g} MB; "
                        f"largest: {found['largest'][:3]}")
    for violation in found["axe"]:
        if violation["impact"] in {"critical", "serious"}:
            problems.append(f"axe {violation['impact']} {violation['id']} on {violation['nodes']} "
                            f"node(s): {violation['targets']}")
    for view in ("desktop", "phone"):
        layout = found[view]
        if layout["pageWidth"] > layout["viewport"] + 1:
            problems.append(f"{view}: the page is {layout['pageWidth']} px wide in a "
                            f"{layout['viewport']} px window")
        problems += [f"{view}: clipped, not scrollable: {c}" for c in layout["clipped"]]
        problems += [f"{view}: leaves the window: {c}" for c in layout["offscreen"]]
    problems += [f"phone: figure text below {site_audit.MIN_FIGURE_TEXT_PX:g} px: {c}"
                 for c in found["phone"]["smallText"]]
    if found["math"] != found["typeset"]:
        problems.append(f"{found['math'] - found['typeset']} of {found['math']} formulas not typeset")
    problems += [f"math error: {e!r}" for e in found["errors"]]
    assert not problems, f"{docname}.html:\n  " + "\n  ".join(problems)


def _lighthouse_pages() -> list[str]:
    chosen = os.environ.get("SITE_LIGHTHOUSE", "sample").strip().lower()
    if chosen == "all":
        return ALL_PAGES
    if chosen in {"", "0", "none", "no"}:
        return []
    return site_audit.LIGHTHOUSE_SAMPLE


@pytest.mark.parametrize("docname", _lighthouse_pages())
def test_lighthouse(server, site, docname, tmp_path):
    """Lighthouse's mobile run with its default (simulated) throttling, offline, three times: the
    median run (site_audit.lighthouse_median) meets the performance limit of
    site_audit.LIGHTHOUSE_MIN and MAX_LCP_MS, and every run its other limits."""
    if not site_audit.LIGHTHOUSE_CLI.is_file():
        _missing(f"{site_audit.LIGHTHOUSE_CLI} is missing: make node-tools")
    if not CHROMIUM.exists():
        _missing(f"{CHROMIUM} is missing: apt-get install chromium")
    if not (site / f"{docname}.html").is_file():
        pytest.skip(f"{docname}.html was not built")
    found, runs = site_audit.lighthouse_median(f"{server}/{docname}.html", tmp_path)
    problems = []
    for category, limit in site_audit.LIGHTHOUSE_MIN.items():
        # performance is timed, so its median run counts; the other categories do not depend on
        # timing and must hold in every run
        judged = [found] if category == "performance" else runs
        low = sorted({r["scores"][category] for r in judged if r["scores"][category] is None
                      or r["scores"][category] < limit}, key=lambda v: -1 if v is None else v)
        if low:
            problems.append(f"{category} {low} < {limit}")
    if found["lcp_ms"] > site_audit.MAX_LCP_MS:
        problems.append(f"largest contentful paint {found['lcp_ms'] / 1000:.1f} s > "
                        f"{site_audit.MAX_LCP_MS / 1000:g} s")
    tried = "; ".join(f"{r['scores']['performance']}, LCP {r['lcp_ms'] / 1000:.1f} s, TBT {r['tbt_ms']:.0f} ms, "
                      f"CPU benchmark {r['benchmark_index']}" + (", first paint held" if r["paint_held"] else "")
                      for r in runs)
    failing = "; ".join(f"run {i + 1}: {r['failing']}" for i, r in enumerate(runs) if r["failing"])
    assert not problems, (f"{docname}.html, {len(runs)} Lighthouse runs (performance and LCP: the median "
                          "run; the other categories: every run): " + "; ".join(problems)
                          + f" (failing audits: {failing or 'none'}; runs: {tried}; load average "
                          f"{os.getloadavg()[0]:.1f})")
