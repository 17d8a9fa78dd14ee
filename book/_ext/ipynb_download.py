"""Offer the executed notebook of every notebook page in the page's download menu.

sphinx-book-theme lists a page's ``.ipynb`` next to its source only when a launch button
(Binder, JupyterHub, Colab, thebe) is configured, because only then does it copy myst-nb's
executed notebook from ``_build/jupyter_execute`` into the site. The book has no launch
buttons (the published site has no kernel), so this extension does that copy itself and sets
the ``ipynb_source`` context variable the theme's download button reads.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

# myst-nb writes each executed notebook to <outdir>/../jupyter_execute/<docname>.ipynb
_EXECUTED_DIR = "jupyter_execute"


def _add_ipynb_source(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    if doctree is None or not context.get("sourcename", "").endswith(".md"):
        return
    if "kernelspec" not in app.env.metadata.get(pagename, {}):
        return  # a plain MyST page, not a notebook
    executed = Path(app.outdir).parent / _EXECUTED_DIR / f"{pagename}.ipynb"
    if not executed.is_file():
        return
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(executed, target)
    context["ipynb_source"] = f"{pagename}.ipynb"


def setup(app: Sphinx) -> dict[str, Any]:
    # before sphinx-book-theme's header buttons (priority 501) read the context
    app.connect("html-page-context", _add_ipynb_source, priority=450)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
