"""Write each <script> of a page once.

sphinx-thebe and sphinx-togglebutton register inline scripts while sphinx reads and again while it
prepares writing, and Sphinx 7.4 keeps both copies; the repeated ``const THEBE_JS_URL`` is then a
JavaScript error ("Identifier has already been declared") on every page. This drops exact repeats
(same file, same attributes, same inline body), keeping the first of each in order.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx


def _drop_repeated_scripts(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    scripts = context.get("script_files")
    if not isinstance(scripts, list):
        return
    seen: set[tuple] = set()
    unique = []
    for js in scripts:
        attributes = getattr(js, "attributes", {})
        # an inline script's filename is None or "", depending on how it was registered
        filename = str(getattr(js, "filename", js) or "")
        key = (filename, tuple(sorted((k, str(v)) for k, v in attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(js)
    scripts[:] = unique


def setup(app: Sphinx) -> dict[str, Any]:
    # after every extension and theme that adds page scripts (default priority 500)
    app.connect("html-page-context", _drop_repeated_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
