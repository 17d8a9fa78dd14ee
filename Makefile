# Build, test and preview "Optimizing Bad Objective Functions" and its package smoothopt.
# `make help` lists the targets. Every install goes through requirements/constraints.txt.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:
MAKEFLAGS += --no-builtin-rules --no-print-directory

PYTHON      ?= python3
PORT        ?= 8000
VENV        := .venv
BIN         := $(VENV)/bin
CONSTRAINTS := requirements/constraints.txt
BUILD       := _build
HTML        := $(BUILD)/html
JB_FLAGS    := -W -n --keep-going

# Re-install only when the package metadata or the pinned versions change.
VENV_STAMP := $(VENV)/.installed.stamp

# myst-nb's execution cache (_build/.jupyter_cache) is keyed on a notebook's code alone, and sphinx
# re-reads only pages whose source changed. A change to the library or to the pinned toolchain must
# re-execute every page, so it wipes both cache and doctrees; a change to the book's own sphinx
# extensions or configuration changes no cell's output, so it wipes the doctrees only (every page
# is re-read from the cache and written again).
EXEC_DEPS  := $(shell find smoothopt -name '*.py' 2>/dev/null | sort) \
              $(CONSTRAINTS) pyproject.toml
EXEC_STAMP := $(BUILD)/.exec-deps.stamp
# the site's own stylesheet and script too: a page Sphinx does not write again keeps the stylesheet
# bundle it was given, so a change to site.css would reach only the pages that changed
READ_DEPS  := $(shell find book/_ext -maxdepth 1 -name '*.py' -o -maxdepth 1 -name '*.mjs' 2>/dev/null | sort) \
              $(wildcard book/_static/site.css book/_static/site.js) _config.yml _toc.yml
READ_STAMP := $(BUILD)/.read-deps.stamp

# Node tools of the site (book/_ext/package-lock.json): temml pre-renders the math into MathML at
# build time, drawn in the font of @fontsource/stix-two-math; axe-core and lighthouse are the site
# checks. Installed only where npm exists; without it the pages keep the MathJax script and the
# site checks that need them skip (fail under CI).
NODE_DIR   := book/_ext
NODE_STAMP := $(NODE_DIR)/node_modules/.installed.stamp
NODE_DEPS  := $(if $(shell command -v npm 2>/dev/null),$(NODE_STAMP))

MATHJAX_VERSION := 3.2.2
MATHJAX_DIR     := book/_static/mathjax

export PATH := $(abspath $(BIN)):$(PATH)
# ipykernel's debugger prints a frozen-modules warning to stderr under Python 3.11
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: help venv book test serve clean distclean bench compare readme-figure mathjax constraints \
        lighthouse site-audit node-tools

help:  ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

venv: $(VENV_STAMP)  ## create .venv with the pinned book + test toolchain and smoothopt (editable)

$(VENV_STAMP): pyproject.toml $(CONSTRAINTS)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade -c $(CONSTRAINTS) pip
	$(BIN)/python -m pip install --quiet -c $(CONSTRAINTS) -e '.[book,test]'
	touch $@

$(EXEC_STAMP): $(EXEC_DEPS)
	@echo "smoothopt or the constraints changed: re-executing every page"
	rm -rf $(BUILD)/.jupyter_cache $(BUILD)/.doctrees $(BUILD)/jupyter_execute
	mkdir -p $(BUILD)
	touch $@

$(READ_STAMP): $(READ_DEPS)
	@echo "the book's extensions, stylesheet or configuration changed: re-reading every page"
	rm -rf $(BUILD)/.doctrees
	mkdir -p $(BUILD)
	touch $@

node-tools: $(NODE_STAMP)  ## install the site's pinned node tools (temml, STIX Two Math, axe-core, lighthouse)

$(NODE_STAMP): $(NODE_DIR)/package.json $(NODE_DIR)/package-lock.json
	cd $(NODE_DIR) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Fails on any sphinx warning (-W, reported at the end thanks to --keep-going), any unresolved
# reference (-n), any cell error and any stderr output of a cell (see _config.yml). After a failed
# build the doctrees go, so that the next build re-reads every page and repeats every warning
# instead of passing on the pages it would otherwise skip as unchanged.
book: $(VENV_STAMP) $(NODE_DEPS) $(EXEC_STAMP) $(READ_STAMP)  ## build the site into _build/html (executes changed pages)
	@# build matplotlib's font cache here, not in a cell, whose stderr would break the build
	@$(BIN)/python -c 'import matplotlib.font_manager'
	$(BIN)/jupyter-book build . --path-output . --builder html $(JB_FLAGS) \
	  || { rm -rf $(BUILD)/.doctrees; exit 1; }

# the node tools first: the extension's math tests (tests/test_site_extension.py) need temml
test: $(VENV_STAMP) $(NODE_DEPS)  ## library tests and doctests, then the book build, then the site checks
	$(BIN)/python -m pytest -m "not site"
	$(MAKE) book
	$(BIN)/python -m pytest -m site tests/test_site.py
	$(MAKE) student
	$(BIN)/python -m pytest -m site tests/test_student_edition.py

# The same book without a single solution (book/_ext/student_edition.py). It runs the same
# notebooks as `make book` and shares its execution cache, so it executes nothing the default
# build has executed; it re-reads every page (fresh environment), which takes a minute or two.
.PHONY: student
student: $(VENV_STAMP) $(EXEC_STAMP)  ## build the student edition, without solutions, into _build/student/html
	@$(BIN)/python -c 'import matplotlib.font_manager'
	$(BIN)/python book/_ext/student_edition.py $(JB_FLAGS)

# Lighthouse (mobile, default throttling) on every page; `make test` runs it on a sample only.
lighthouse: $(VENV_STAMP) $(NODE_STAMP)  ## Lighthouse on every page of the built site, 3 runs a page (about 1 min a page)
	@test -f $(HTML)/index.html || { echo "no site in $(HTML): run 'make book' first" >&2; exit 1; }
	SITE_LIGHTHOUSE=all $(BIN)/python -m pytest -m site tests/test_site.py -k lighthouse

site-audit: $(VENV_STAMP) $(NODE_STAMP)  ## weight, axe, phone layout and Lighthouse of every page, into _build/site-audit.json
	$(BIN)/python tests/site_audit.py --html $(HTML) --out $(BUILD)/site-audit.json --lighthouse all

serve:  ## preview the built site on http://localhost:8000 (or PORT=...)
	@test -f $(HTML)/index.html || { echo "no site in $(HTML): run 'make book' first" >&2; exit 1; }
	$(PYTHON) -m http.server --bind 127.0.0.1 --directory $(HTML) $(PORT)

bench: $(VENV_STAMP)  ## speed against plain numpy, side by side (writes benchmarks/results/speed.md)
	$(BIN)/python benchmarks/run.py

compare: $(VENV_STAMP)  ## every method on every bad objective at full scale (benchmarks/results/compare.md, .json)
	$(BIN)/python benchmarks/compare.py --scale full
	$(BIN)/python benchmarks/compare.py --ablation --runs 50
	$(BIN)/python benchmarks/compare.py --rotated --runs 100

readme-figure: $(VENV_STAMP)  ## redraw the README's figure from smoothopt.plotting.smoothing_teaser
	MPLBACKEND=Agg $(BIN)/python -c 'from smoothopt import plotting; \
	  plotting.smoothing_teaser()[0].savefig("book/_static/readme-figure.png", dpi=80)'

clean:  ## remove the built site, the execution cache and Python caches (keeps .venv)
	rm -rf $(BUILD) .pytest_cache *.egg-info
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean  ## clean, and remove .venv too
	rm -rf $(VENV)

constraints:  ## re-pin requirements/constraints.txt from the current .venv (after an upgrade)
	{ echo "# Exact versions of the whole book + test toolchain, used by every install:"; \
	  echo "#   pip install -c requirements/constraints.txt -e '.[book,test]'"; \
	  echo "# Regenerate after an upgrade with:  make constraints"; \
	  $(BIN)/python -m pip freeze --all --exclude-editable | grep -viE '^smoothopt([ =@]|$$)'; \
	} > $(CONSTRAINTS).tmp
	mv $(CONSTRAINTS).tmp $(CONSTRAINTS)

mathjax:  ## re-vendor MathJax (npm package mathjax) into book/_static/mathjax
	tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	( cd "$$tmp" && npm pack --silent mathjax@$(MATHJAX_VERSION) >/dev/null && tar xzf mathjax-$(MATHJAX_VERSION).tgz ); \
	rm -rf $(MATHJAX_DIR); mkdir -p $(MATHJAX_DIR)/output/chtml/fonts; \
	cp "$$tmp"/package/es5/tex-chtml-full.js "$$tmp"/package/LICENSE $(MATHJAX_DIR)/; \
	cp -r "$$tmp"/package/es5/output/chtml/fonts/woff-v2 $(MATHJAX_DIR)/output/chtml/fonts/; \
	printf '%s\n' "MathJax $(MATHJAX_VERSION) from the npm package mathjax@$(MATHJAX_VERSION) (es5/tex-chtml-full.js and es5/output/chtml/fonts/woff-v2)," \
	  "vendored by \`make mathjax\` so that the site renders math with no network. License: Apache-2.0 (LICENSE)." \
	  > $(MATHJAX_DIR)/SOURCE.txt
