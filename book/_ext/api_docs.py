"""Autodoc adjustments for the numpydoc docstrings of ``smoothopt`` (the API reference page).

* A NamedTuple's fields reach autodoc as members whose only docstring is "Alias for field number
  N"; the class docstring's ``Attributes`` section already documents them (napoleon turns it into
  ``.. attribute::`` entries), so documenting both would be a duplicate object description.
  Those alias members are skipped.
* In numpydoc, every unindented line under ``Parameters``, ``Returns``, ``Attributes`` and the
  like is read as one more entry of that section, so doctest lines that follow such a section
  without an ``Examples`` header render as bogus return values or parameters named
  ``>>> f = ...``, silently. That is turned into a build warning (so ``-W`` fails) naming the
  object.
"""

from __future__ import annotations

import inspect
import re
from typing import Any

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

# numpydoc sections whose lines are parsed as "name : type" entries
_FIELD_SECTIONS = {
    "Parameters", "Other Parameters", "Returns", "Yields", "Receives", "Raises", "Warns",
    "Attributes", "Methods", "See Also",
}
_UNDERLINE = re.compile(r"^\s*-{3,}\s*$")


def _skip_namedtuple_aliases(
    app: Sphinx, what: str, name: str, obj: Any, skip: bool, options: Any
) -> bool | None:
    doc = getattr(obj, "__doc__", None) or ""
    if what == "class" and doc.startswith("Alias for field number"):
        return True
    return None  # let autodoc decide


def _check_examples_placement(
    app: Sphinx, what: str, name: str, obj: Any, options: Any, lines: list[str]
) -> None:
    section = None
    for i, line in enumerate(lines):
        if i + 1 < len(lines) and _UNDERLINE.match(lines[i + 1]) and line.strip():
            section = line.strip()
            continue
        if section in _FIELD_SECTIONS and line.lstrip().startswith(">>>"):
            try:
                source = inspect.getsourcefile(obj) or "<unknown>"
            except TypeError:
                source = "<unknown>"
            logger.warning(
                f"docstring of {name}: the doctest line {line.strip()!r} sits in its "
                f"{section!r} section, where numpydoc reads it as an entry; put the example "
                "under an 'Examples' header",
                location=source,
                type="smoothopt",
                subtype="docstring",
            )
            return


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("autodoc-skip-member", _skip_namedtuple_aliases)
    # before napoleon (priority 500) turns the numpydoc sections into reST
    app.connect("autodoc-process-docstring", _check_examples_placement, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
