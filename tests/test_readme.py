"""The README's library example runs as written.

Every ```python block under the heading that contains "Use the library" is executed,
in order, in one namespace, so a reader who copies them gets what the README promises.
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def _section_blocks(text, heading="Use the library"):
    """The ```python blocks between the heading containing ``heading`` and the next
    heading of the same or a higher level."""
    lines = text.splitlines()
    start = level = None
    for i, line in enumerate(lines):
        m = re.match(r"^(#+)\s+(.*)$", line)
        if m and heading.lower() in m.group(2).lower():
            start, level = i + 1, len(m.group(1))
            break
    if start is None:
        return None
    end = len(lines)
    in_code = False
    for i in range(start, len(lines)):
        if lines[i].startswith("```"):
            in_code = not in_code
        m = None if in_code else re.match(r"^(#+)\s", lines[i])
        if m and len(m.group(1)) <= level:
            end = i
            break
    section = "\n".join(lines[start:end])
    return re.findall(r"^```python[^\n]*\n(.*?)^```", section, flags=re.S | re.M)


def test_section_parser_finds_blocks_and_stops_at_the_next_heading():
    text = "# T\n## Use the library\n```python\na = 1\n```\n### sub\n```python\nb = 2\n```\n## Next\n```python\nc\n```\n"
    assert _section_blocks(text) == ["a = 1\n", "b = 2\n"]
    assert _section_blocks("# nothing here\n") is None


def test_readme_library_example_runs():
    if not README.exists():
        pytest.skip("README.md does not exist yet")
    blocks = _section_blocks(README.read_text(encoding="utf-8"))
    assert blocks is not None, "README.md has no heading containing 'Use the library'"
    assert blocks, "the 'Use the library' section has no ```python block"
    namespace = {"__name__": "__readme__"}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        for block in blocks:
            exec(compile(block, str(README), "exec"), namespace)  # noqa: S102
    # Whatever the example prints, it must not print an error or a NaN.
    printed = out.getvalue()
    assert "Traceback" not in printed and "nan" not in printed.lower()
