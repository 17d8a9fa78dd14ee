"""The ``exercise-table`` directive: every exercise of the book, by chapter, read from the sources.

The instructors' page lists each exercise with its kind (derivation, computation,
implementation), the learning goal it serves and the time it takes. The table is built while
Sphinx reads the page, from the chapter sources in ``_toc.yml`` order, and the page is made to
depend on those sources, so it is rebuilt whenever a chapter changes and can never fall out of
date (an executed cell would be cached on its own code and go stale). Nothing is executed, so
the student edition renders it without running anything.

The directive's content is YAML: ``label: [learning goal, minutes]`` for exercises whose source
has no ``% teaching: kind=...; time=... min; goal=...`` line. An exercise with neither gets its
first sentence as the goal and a default time for its kind.

The kind is read from the source: an exercise with a code cell of its own (a starter) is an
implementation; one that asks to derive, show, prove or explain is a derivation; one whose
solution runs code is a computation (an exercise can be both of the last two).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)

DEFAULT_MINUTES = {"derivation": 20, "computation": 15, "implementation": 20}
MIN_IMPLEMENTATIONS = 8  # one "implement it yourself" exercise in at least eight chapters

_OPEN = re.compile(
    r"^(`{3,}|:{3,})\{(exercise|exercise-start)\}[^\n]*\n((?::[\w-]+:[^\n]*\n)*)", re.M)


def exercises(text: str):
    """``(label, body, solution)`` of every exercise in a chapter's MyST source."""
    for m in _OPEN.finditer(text):
        fence, gated, options = m.group(1), m.group(2) == "exercise-start", m.group(3)
        label = re.search(r":label:\s*(\S+)", options)
        if not label:
            continue
        label = label.group(1)
        rest = text[m.end():]
        if gated:  # the body runs from the closing fence of the options to exercise-end
            rest = rest[rest.index("\n") + 1:] if rest.startswith(fence) else rest
            end = re.search(r"^(`{3,}|:{3,})\{exercise-end\}", rest, re.M)
        else:
            end = re.search(rf"^{re.escape(fence)}\s*$", rest, re.M)
        body = rest[: end.start()] if end else rest
        sol = re.search(
            rf"\{{solution(?:-start)?\}}\s+{re.escape(label)}\b(.*?)"
            rf"(?:\{{solution-end\}}|^{re.escape(fence)}\s*$)", text, re.M | re.S)
        yield label, body, sol.group(1) if sol else ""


def _plain(md: str) -> str:
    md = re.sub(r"```\{code-cell\}.*?```", " ", md, flags=re.S)
    md = re.sub(r"^%.*$", " ", md, flags=re.M)
    md = re.sub(r"\{\w+\}`([^`]*)`", r"\1", md)
    return re.sub(r"\s+", " ", md.replace("*", "")).strip()


def kind_of(body: str, solution: str, meta: dict) -> str:
    if meta.get("kind"):
        return meta["kind"]
    if "{code-cell}" in body:
        return "implementation"
    derives = re.search(r"\b(derive|show that|prove|explain why|say why)\b", _plain(body), re.I)
    computes = "{code-cell}" in solution
    kinds = [k for k, on in (("derivation", derives), ("computation", computes)) if on]
    return ", ".join(kinds) or "derivation"


def _toc_files(entry):
    """The files of a jb-book table of contents below ``entry``, in reading order."""
    for key in ("parts", "chapters", "sections"):
        for child in entry.get(key, []):
            if "file" in child:
                yield child["file"]
            yield from _toc_files(child)


def rows(root: Path, goals: dict) -> list[dict]:
    """One row per exercise of the book at ``root``, in reading order."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    pages = [toc["root"]] + list(_toc_files(toc))
    out = []
    for page in pages:
        text = (root / f"{page}.md").read_text(encoding="utf-8")
        title = re.search(r"^# (.+)$", text, re.M)
        for label, body, solution in exercises(text):
            teaching = re.search(r"^% teaching: (.*)$", body, re.M)
            meta = {}
            if teaching:
                meta = dict(kv.strip().split("=", 1) for kv in teaching.group(1).split(";"))
            kind = kind_of(body, solution, meta)
            goal, minutes = goals.get(label, (meta.get("goal"), None))
            goal = goal or _plain(body).split(". ")[0][:110]
            if minutes is None:
                minutes = int(re.match(r"\d+", meta.get("time", "")).group()) if meta.get(
                    "time") else DEFAULT_MINUTES[kind.split(",")[0]]
            out.append({"page": page, "doc": page.split("/")[-1],
                        "title": title.group(1) if title else page, "label": label,
                        "kind": kind, "goal": goal, "minutes": int(minutes)})
    return out


def markdown(table: list[dict]) -> str:
    lines = ["| chapter | exercise | kind | learning goal | time |", "|---|---|---|---|---|"]
    for r in table:
        goal = r["goal"].replace("|", "\\|")  # a |f''| in a goal is not a column
        lines.append(f"| {{doc}}`{r['title']} <{r['doc']}>` | {{ref}}`{r['label']} <{r['label']}>` "
                     f"| {r['kind']} | {goal} | {r['minutes']} min |")
    kinds = {k: sum(k in r["kind"] for r in table)
             for k in ("derivation", "computation", "implementation")}
    hours = sum(r["minutes"] for r in table) / 60
    lines += ["", f"That is {len(table)} exercises in {len({r['page'] for r in table})} chapters, "
              f"about {hours:.0f} hours of work in all: {kinds['implementation']} "
              f"implementations, {kinds['computation']} with a computation and "
              f"{kinds['derivation']} with a derivation (an exercise can be both)."]
    return "\n".join(lines)


class ExerciseTable(SphinxDirective):
    has_content = True

    def run(self) -> list[nodes.Node]:
        root = Path(self.env.srcdir)
        goals = yaml.safe_load("\n".join(self.content)) or {}
        table = rows(root, goals)
        # rebuild this page whenever a chapter or the table of contents changes
        self.env.note_dependency(str(root / "_toc.yml"))
        for page in {r["page"] for r in table}:
            self.env.note_dependency(str(root / f"{page}.md"))
        n_impl = sum("implementation" in r["kind"] for r in table)
        if n_impl < MIN_IMPLEMENTATIONS:
            logger.warning(f"only {n_impl} 'implement it yourself' exercises in the book, fewer "
                           f"than {MIN_IMPLEMENTATIONS}", location=self.get_location())
        unused = set(goals) - {r["label"] for r in table}
        if unused:
            logger.info(f"exercise-table: goals for exercises that do not exist: "
                           f"{sorted(unused)}", location=self.get_location())
        container = nodes.container(classes=["exercise-table"])
        self.state.nested_parse(StringList(markdown(table).splitlines(), source=""), 0, container)
        return [container]


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("exercise-table", ExerciseTable)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
