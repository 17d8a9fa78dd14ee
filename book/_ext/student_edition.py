"""The student edition: the same book with every solution absent, not collapsed.

With the config value ``student_edition = True`` (set by ``make student``, which runs this file
as a script), this extension

* removes every ``solution`` directive, gated (``solution-start`` ... ``solution-end``, with the
  code cells between them) or not, and every cell tagged ``solution``, from the doctree right
  after sphinx-exercise has merged the gated ones, so that neither the page nor the search index
  sees them (sphinx-exercise's own ``hide_solutions`` drops the solution's title but leaves the
  cells of a gated solution on the page);
* when the build finishes, rewrites every file under ``_sources`` (the ``.md`` sources and the
  executed ``.ipynb`` notebooks of the download menu) with the same solutions cut out.

Execution is untouched: the notebook that runs is the full one, so its cells hit the execution
cache of the default edition (``_build/.jupyter_cache``) and the student build executes nothing.
Without ``student_edition`` the extension does nothing and solutions stay in their dropdowns.

Run as a script, ``python book/_ext/student_edition.py [-W] [-n] [--keep-going] [--root DIR]``
builds the student edition of the book in ``DIR`` (default: this repository) into
``DIR/_build/student/html``.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any, Iterable

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform

# a directive's opening fence: ```{name} or :::{name}, three or more characters
_OPEN = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[\w-]+)\}")
_TAG = re.compile(r"^\s*:?tags:\s*\[?[^\]\n]*\bsolution\b")


class SolutionStripper:
    """Cut solutions out of MyST markdown, line by line; the state carries across notebook cells.

    ``feed(text)`` returns ``text`` without the lines of any ``solution`` directive (with its
    content), any gated ``solution-start`` ... ``solution-end`` region, and any ``code-cell``
    tagged ``solution``. ``inside`` says whether the last line fed was inside a gated solution.
    """

    def __init__(self) -> None:
        self.inside = False  # between solution-start and the end of solution-end
        self._close: str | None = None  # the closing fence of a block being dropped
        self._after_close_inside = False

    def _closes(self, line: str) -> bool:
        s = line.strip()
        return (self._close is not None and s and set(s) == {self._close[0]}
                and len(s) >= len(self._close))

    def feed(self, text: str) -> str:
        out: list[str] = []
        lines = text.splitlines(keepends=True)
        i = 0
        while i < len(lines):
            line = lines[i]
            if self._close is not None:  # dropping a fenced block up to its closing fence
                if self._closes(line):
                    self._close = None
                    self.inside = self._after_close_inside
                i += 1
                continue
            m = _OPEN.match(line.lstrip()) if not line.startswith("    ") else None
            name = m.group("name") if m else None
            if name == "solution-start":
                self._close, self._after_close_inside, self.inside = m.group("fence"), True, True
            elif name == "solution-end":
                self._close, self._after_close_inside, self.inside = m.group("fence"), False, True
            elif self.inside:
                pass  # the content of a gated solution
            elif name == "solution":
                self._close, self._after_close_inside = m.group("fence"), False
            elif name == "code-cell" and _tagged(lines, i + 1, m.group("fence")):
                self._close, self._after_close_inside = m.group("fence"), False
            else:
                out.append(line)
            i += 1
        return "".join(out)


def _tagged(lines: list[str], start: int, fence: str) -> bool:
    """Whether the code-cell opening before ``lines[start]`` has the tag ``solution``."""
    for line in lines[start:start + 8]:
        s = line.strip()
        if s.startswith(fence[0] * 3) and set(s) == {fence[0]}:
            return False
        if _TAG.match(line):
            return True
        if s and not (s.startswith(":") or s == "---" or ":" in s.split()[0]):
            return False  # past the options: code
    return False


def strip_markdown(text: str) -> str:
    """MyST markdown ``text`` without its solutions."""
    return SolutionStripper().feed(text)


def strip_notebook(nb: dict) -> dict:
    """A notebook (as a dict) without its solutions: the cells inside a gated solution, the
    cells tagged ``solution`` and the solution directives in markdown cells."""
    stripper = SolutionStripper()
    cells = []
    for cell in nb.get("cells", []):
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        tags = cell.get("metadata", {}).get("tags", [])
        if cell.get("cell_type") == "markdown" or cell.get("cell_type") == "raw":
            kept = stripper.feed(source)
            if kept.strip():
                cells.append(dict(cell, source=kept))
        elif not stripper.inside and "solution" not in tags:
            cells.append(cell)
    return dict(nb, cells=cells)


class RemoveSolutions(SphinxTransform):
    """Drop solution nodes and solution-tagged cells from the doctree (student edition only)."""

    # after sphinx-exercise's MergeGatedSolutions (priority 10) has gathered each gated solution
    default_priority = 15

    def apply(self, **kwargs: Any) -> None:
        if not self.config.student_edition:
            return
        from sphinx_exercise.nodes import solution_end_node, solution_node, solution_start_node

        doomed: list[nodes.Node] = []
        for node in self.document.findall(nodes.Element):
            if isinstance(node, (solution_node, solution_start_node, solution_end_node)):
                doomed.append(node)
            elif "tag_solution" in node.get("classes", []):
                doomed.append(node)
        for node in doomed:
            if node.parent is not None:
                node.parent.remove(node)
        registry = getattr(self.env, "sphinx_exercise_registry", {})
        for label in [k for k, v in registry.items()
                      if v.get("type") == "solution" and v.get("docname") == self.env.docname]:
            del registry[label]


def _strip_sources(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or not app.config.student_edition:
        return
    sources = Path(app.outdir) / "_sources"
    for path in _files(sources):
        if path.suffix == ".ipynb":
            nb = json.loads(path.read_text(encoding="utf-8"))
            path.write_text(json.dumps(strip_notebook(nb), indent=1, ensure_ascii=False),
                            encoding="utf-8")
        elif path.suffix in (".md", ".txt", ".rst"):
            path.write_text(strip_markdown(path.read_text(encoding="utf-8")), encoding="utf-8")


def _files(root: Path) -> Iterable[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else []


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("student_edition", False, "env", [bool])
    app.add_transform(RemoveSolutions)
    # after every other build-finished handler has written its files into _sources
    app.connect("build-finished", _strip_sources, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def main(argv: list[str]) -> int:
    """Build the student edition into _build/student/html, reusing the execution cache."""
    from jupyter_book.sphinx import build_sphinx

    root = Path(__file__).resolve().parents[2]
    if "--root" in argv:  # another book (the tests build a small one)
        root = Path(argv[argv.index("--root") + 1]).resolve()
    build = root / "_build"
    # Sphinx loads the search index it finds in the output directory and only prunes the pages
    # from it, so every word of an earlier build stays in searchindex.js (with no page listed):
    # the student edition starts from no index at all.
    (build / "student" / "html" / "searchindex.js").unlink(missing_ok=True)
    overrides = {
        "external_toc_path": "_toc.yml",
        "latex_individualpages": False,
        "student_edition": True,
        # the default edition's cache: the student edition runs the same notebooks
        "nb_execution_cache_path": str(build / ".jupyter_cache"),
    }
    if "-n" in argv:
        overrides["nitpicky"] = True
    result = build_sphinx(
        root,
        build / "student" / "html",
        noconfig=True,
        path_config=str(root / "_config.yml"),
        confoverrides=overrides,
        doctreedir=build / "student" / ".doctrees",
        # every page re-read (cheap: no execution), so no stale page survives a library change
        freshenv=True,
        warningiserror="-W" in argv,
        keep_going="--keep-going" in argv,
        builder="html",
    )
    return result if isinstance(result, int) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
