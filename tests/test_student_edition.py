"""The student edition (``make student``, book/_ext/student_edition.py) holds no solution.

The unit tests check the stripping of MyST sources and notebooks, and build a two-page book in
both editions. The ``site`` tests, run by ``make test`` after ``make book`` and ``make student``,
grep every file of ``_build/student/html`` for phrases that occur only inside the solutions of
the book's sources, and check the same phrases are found in the full edition (so the grep can
see them at all).
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))
import student_edition as se  # noqa: E402

STUDENT = ROOT / "_build" / "student" / "html"
FULL = ROOT / "_build" / "html"

SAMPLE = """\
# Page

```{code-cell} ipython3
print("starter")
```

````{exercise-start}
:label: ex-1
````

Write it.

```{code-cell} ipython3
def stub():
    raise NotImplementedError
```

````{exercise-end}
````

````{solution-start} ex-1
:class: dropdown
````

```{code-cell} ipython3
print("gated answer")
```

Gated prose.

````{solution-end}
````

```{exercise}
:label: ex-2
Second.
```

````{solution} ex-2
:class: dropdown
Plain answer.

```python
nested = "code"
```
````

```{code-cell} ipython3
:tags: [solution]
print("tagged answer")
```

```{code-cell} ipython3
:tags: [hide-input]
print("kept")
```

The end.
"""


def test_strip_markdown_removes_every_kind_of_solution():
    out = se.strip_markdown(SAMPLE)
    for gone in ("gated answer", "Gated prose", "Plain answer", "nested", "tagged answer",
                 "solution"):
        assert gone not in out
    for kept in ("starter", "Write it.", "raise NotImplementedError", "exercise-end", "Second.",
                 'print("kept")', "The end."):
        assert kept in out
    assert out.count("```") % 2 == 0  # every fence that is left is closed


def test_strip_notebook_drops_the_cells_of_a_gated_solution():
    nb = {"cells": [
        {"cell_type": "markdown", "metadata": {}, "source": "Intro\n\n````{solution-start} a\n"
                                                           ":class: dropdown\n````\n"},
        {"cell_type": "code", "metadata": {}, "source": "answer = 42", "outputs": []},
        {"cell_type": "markdown", "metadata": {}, "source": "Why.\n\n````{solution-end}\n````\n\n"
                                                           "Next section."},
        {"cell_type": "code", "metadata": {"tags": ["solution"]}, "source": "x = 1", "outputs": []},
        {"cell_type": "code", "metadata": {}, "source": "kept = 1", "outputs": []},
    ]}
    cells = se.strip_notebook(nb)["cells"]
    text = json.dumps(cells)
    assert "answer = 42" not in text and "Why." not in text and "x = 1" not in text
    assert [c["cell_type"] for c in cells] == ["markdown", "markdown", "code"]
    assert "Intro" in cells[0]["source"] and "Next section." in cells[1]["source"]


@pytest.mark.slow
def test_a_small_book_in_both_editions(tmp_path):
    """Builds a one-page book twice; the student build reuses the cache and has no solution."""
    (tmp_path / "book" / "_ext").mkdir(parents=True)
    for ext in ("student_edition.py", "ipynb_download.py"):
        (tmp_path / "book" / "_ext" / ext).write_text((ROOT / "book" / "_ext" / ext).read_text())
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: book/page\n")
    (tmp_path / "_config.yml").write_text(
        "title: t\nonly_build_toc_files: true\nexclude_patterns: [_build, book/_ext]\n"
        "execute: {execute_notebooks: cache}\nparse: {myst_enable_extensions: [colon_fence]}\n"
        "sphinx:\n  extra_extensions: [sphinx_exercise]\n"
        "  local_extensions: {ipynb_download: book/_ext, student_edition: book/_ext}\n"
        "  config: {html_theme_options: {use_download_button: true}}\n")
    header = ("---\njupytext: {text_representation: {extension: .md, format_name: myst}}\n"
              "kernelspec: {display_name: Python 3, language: python, name: python3}\n---\n\n")
    (tmp_path / "book" / "page.md").write_text(header + SAMPLE)
    env = dict(os.environ, PYDEVD_DISABLE_FILE_VALIDATION="1")
    jb = Path(sys.executable).with_name("jupyter-book")
    full = subprocess.run([str(jb), "build", str(tmp_path), "--builder", "html", "-W"],
                          capture_output=True, text=True, env=env)
    assert full.returncode == 0, full.stdout[-3000:] + full.stderr[-3000:]
    student = subprocess.run([sys.executable, str(tmp_path / "book/_ext/student_edition.py"),
                              "-W", "--root", str(tmp_path)],
                             capture_output=True, text=True, env=env)
    assert student.returncode == 0, student.stdout[-3000:] + student.stderr[-3000:]
    assert "Using cached notebook" in student.stdout + student.stderr  # nothing re-executed
    out = tmp_path / "_build" / "student" / "html"
    assert (out / "_sources" / "book" / "page.ipynb").is_file()
    for phrase in ("gated answer", "Gated prose", "Plain answer", "tagged answer"):
        assert not _files_containing(out, phrase), phrase
        assert _files_containing(tmp_path / "_build" / "html", phrase), phrase
    assert _files_containing(out, "raise NotImplementedError")


# ---------------------------------------------------------------------------------------------
# the real book: run by `make test` after `make book` and `make student`
# ---------------------------------------------------------------------------------------------

_WORD = re.compile(r"[a-z0-9]+")
_SKIP_SUFFIXES = {".png", ".jpg", ".svg", ".woff", ".woff2", ".ttf", ".eot", ".ico", ".gif",
                  ".pickle", ".inv"}


def _normalize(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


def _file_text(path: Path) -> str:
    raw = path.read_text(encoding="utf-8", errors="ignore")
    if path.suffix == ".html":
        raw = re.sub(r"<[^>]+>", " ", raw)
    if path.suffix == ".ipynb":
        try:
            raw = "\n".join("".join(c.get("source", "")) + json.dumps(c.get("outputs", []))
                            for c in json.loads(raw)["cells"])
        except (ValueError, KeyError):
            pass
    return _normalize(html.unescape(raw))


def _files_containing(root: Path, phrase: str) -> list[Path]:
    want = _normalize(phrase)
    return [p for p in root.rglob("*") if p.is_file() and p.suffix not in _SKIP_SUFFIXES
            and want in _file_text(p)]


_SOLUTION = re.compile(
    r"^(?P<f>`{3,}|:{3,})\{solution-start\}.*?^(?P=f)\{solution-end\}[^\n]*\n(?P=f)\s*$"
    r"|^(?P<g>`{3,}|:{3,})\{solution\}.*?^(?P=g)\s*$",
    re.M | re.S,
)


# what the build replaces, so a phrase never spans it: display and inline math (typeset at build
# time), roles such as {glue:text}`x` or {cite}`key` (replaced by their value)
_ROLE = re.compile(r"\{[\w:-]+\}`[^`]*`")
_REPLACED = re.compile(r"\$\$.*?\$\$|\$[^$]+\$|" + _ROLE.pattern + r"|^(`{3,}|:{3,})\{math\}.*?^\1\s*$",
                       re.M | re.S)
_HIDDEN_CELL = re.compile(r"^(?P<f>`{3,})\{code-cell\}[^\n]*\n:tags:[^\n]*remove-cell[^\n]*\n.*?^(?P=f)\s*$",
                          re.M | re.S)


def solution_phrases(per_solution: int = 4, width: int = 7) -> dict[str, list[str]]:
    """Per source, phrases of ``width`` words found in its solutions and nowhere else.

    Found independently of the extension: a regular expression finds the solution regions; a
    phrase counts only if its words never occur in that order in the text outside solutions of
    any source, nor in the library's sources (whose docstrings reach the API page).
    """
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    pages = [toc["root"]] + [c["file"] for part in toc["parts"] for c in part["chapters"]]
    sources = {p: (ROOT / f"{p}.md").read_text(encoding="utf-8") for p in pages}
    inside = {p: [m.group(0) for m in _SOLUTION.finditer(s)] for p, s in sources.items()}
    outside = " | ".join(_normalize(_SOLUTION.sub(" ", s)) for s in sources.values())
    outside += " | " + " | ".join(_normalize(p.read_text()) for p in (ROOT / "smoothopt").glob("*.py"))
    phrases = {}
    for page, blocks in inside.items():
        found = []
        for block in blocks:
            body = _HIDDEN_CELL.sub(" ", block)  # a hidden cell reaches no page
            body = re.sub(r"^(`{3,}|:{3,}).*$|^:\w+:.*$", " ", body, flags=re.M)
            picks = []
            # a phrase is taken from the text between formulas and roles
            for segment in _REPLACED.sub("\0", body).split("\0"):
                words = _normalize(segment).split()
                for start in range(0, max(len(words) - width, 0), width):
                    phrase = " ".join(words[start:start + width])
                    if phrase not in outside and not phrase.isdigit():
                        picks.append(phrase)
            step = max(len(picks) // per_solution, 1)
            found += picks[::step][:per_solution]
        if found:
            phrases[page] = found
    return phrases


@pytest.mark.site
def test_no_solution_reaches_the_student_edition():
    if not STUDENT.is_dir():
        pytest.skip("no student edition in _build/student/html: run `make student` first")
    phrases = solution_phrases()
    assert sum(map(len, phrases.values())) > 50  # enough to mean something
    texts = {p: _file_text(p) for p in STUDENT.rglob("*")
             if p.is_file() and p.suffix not in _SKIP_SUFFIXES}
    leaks = [(page, phrase, str(path.relative_to(STUDENT)))
             for page, ps in phrases.items() for phrase in ps
             for path, text in texts.items() if phrase in text]
    assert not leaks, f"{len(leaks)} solution phrases in the student edition, e.g. {leaks[:5]}"
    # the student edition still has the starters and their checks, and no solution markup
    page = (STUDENT / "book" / "adaptive.html").read_text(encoding="utf-8")
    assert "NotImplementedError" in page and "check_optimizer" in page
    assert not any('class="solution' in t or "solution-content" in t
                   for t in (p.read_text(errors="ignore") for p in STUDENT.rglob("*.html")))
    assert (STUDENT / "_sources" / "book" / "adaptive.ipynb").is_file()


@pytest.mark.site
def test_the_full_edition_has_the_solutions():
    """The grep above can see solution text: in the full edition it finds nearly all of it."""
    if not FULL.is_dir():
        pytest.skip("no full edition in _build/html: run `make book` first")
    phrases = [p for ps in solution_phrases().values() for p in ps]
    texts = [_file_text(p) for p in (FULL / "book").glob("*.html")]
    found = sum(any(p in t for t in texts) for p in phrases)
    assert found >= 0.9 * len(phrases), f"only {found} of {len(phrases)} phrases found"


def _load_index(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    return json.loads(text[text.index("(") + 1: text.rindex(")")])


def _index_terms(path: Path) -> set[str]:
    index = _load_index(path)
    return set(index["terms"]) | set(index.get("titleterms", {}))


@pytest.mark.site
def test_the_search_index_has_no_word_only_solutions_use():
    """Words (stemmed as the search index stems them) found only inside solutions are indexed in
    the full edition and absent from the student edition's index."""
    import yaml
    from sphinx.search.en import SearchEnglish

    if not (STUDENT / "searchindex.js").is_file():
        pytest.skip("no student edition in _build/student/html: run `make student` first")
    stem = SearchEnglish({}).stem
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    pages = [toc["root"]] + [c["file"] for part in toc["parts"] for c in part["chapters"]]
    sources = [(ROOT / f"{p}.md").read_text(encoding="utf-8") for p in pages]
    # a solution's hidden cells (remove-cell) reach no page, and a role's target (a glue name, a
    # citation key) is replaced by its value: neither reaches the index
    inside = " ".join(_ROLE.sub(" ", _HIDDEN_CELL.sub(" ", m.group(0)))
                      for s in sources for m in _SOLUTION.finditer(s))
    outside = " ".join(_SOLUTION.sub(" ", s) for s in sources)
    # the library's docstrings reach the API page, the bibliography's titles the references
    outside += " ".join(p.read_text() for p in (ROOT / "smoothopt").glob("*.py"))
    outside += (ROOT / "book" / "references.bib").read_text(encoding="utf-8")
    # words split as sphinx's indexer splits them (\w+, so `ex4_hstar` is one word)
    seen = {stem(w.lower()) for w in re.findall(r"\w+", outside)}
    only = {stem(w.lower()) for w in re.findall(r"\w+", inside)
            if len(w) >= 4 and re.search(r"[A-Za-z]", w)} - seen
    assert only, "no word is used only in solutions: the check would be empty"
    # no word left over from an earlier build (sphinx keeps them with no page listed)
    terms = _load_index(STUDENT / "searchindex.js")["terms"]
    assert not [w for w, pages in terms.items() if pages == []]
    assert not only & _index_terms(STUDENT / "searchindex.js")
    if (FULL / "searchindex.js").is_file():
        assert only <= _index_terms(FULL / "searchindex.js")


def test_the_exercise_table_lists_every_exercise():
    import exercise_table as et

    rows = et.rows(ROOT, {})
    labels = [r["label"] for r in rows]
    sources = "".join((ROOT / f"{r}.md").read_text() for r in {r["page"] for r in rows})
    assert len(labels) == len(set(labels)) == len(re.findall(r"\{exercise(?:-start)?\}", sources))
    implementing = {r["page"] for r in rows if r["kind"] == "implementation"}
    assert len(implementing) >= 8  # "implement it yourself" in at least eight chapters
    assert all(r["minutes"] > 0 and r["goal"] for r in rows)
    assert "| derivation" in et.markdown(rows) or "derivation," in et.markdown(rows)
