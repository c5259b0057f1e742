# Set-up and everyday commands. Only Python 3.11, make and git are assumed: uv comes from PyPI
# into a private tool folder when it is not installed, because `uv sync` would remove it from .venv.
PYTHON ?= python3
UV_VERSION := 0.13.9
UV ?= $(shell command -v uv 2>/dev/null || echo .uv/bin/uv)
ARGS ?=

.PHONY: setup serve test lint migrate editor-bundle

setup: .venv/.synced

.uv/bin/uv:
	$(PYTHON) -m venv .uv
	.uv/bin/pip install --quiet uv==$(UV_VERSION)

# Re-sync only when the lock or the project changed. `setup` installs everything (the server, the
# tests and the linters); `serve` only the server's own packages, and never removes the others.
.venv/.synced: uv.lock pyproject.toml $(if $(filter .uv/bin/uv,$(UV)),.uv/bin/uv)
	$(UV) sync --frozen --python $(PYTHON)
	touch $@ .venv/.synced-runtime

.venv/.synced-runtime: uv.lock pyproject.toml $(if $(filter .uv/bin/uv,$(UV)),.uv/bin/uv)
	$(UV) sync --frozen --no-dev --inexact --python $(PYTHON)
	touch $@

serve: .venv/.synced-runtime
	.venv/bin/forge serve

test: setup
	.venv/bin/pytest $(ARGS)

lint: setup
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy

migrate: setup
	.venv/bin/forge migrate

# Rebuilds the editor's libraries (yjs, CodeMirror, marked, DOMPurify, ...) into the committed
# server/static/editor/vendor/editor-libs.js, with its LICENSES.txt and manifest.json, from
# editor-bundle/package-lock.json. Only for whoever changes editor-bundle/: it needs Node.js and
# npm, while `make serve` and the tests use the committed files. Commit the three outputs with the
# change; tests/server/test_editor_bundle.py fails while they do not match their inputs.
editor-bundle:
	cd editor-bundle && npm ci --ignore-scripts
	cd editor-bundle && node build.mjs
