# make book          set up .venv and system packages (first time), compute, execute stale notebooks, build _build/html
# make test          the above, then lint and the fast tests (the CI command on every push)
# make test-all      make test plus the slow multi-build tests (weekly CI job)
# make reproduce     run the analysis engine on the book's data (results in _build/results)
# make multiverse    every combination of analytic choices (_build/multiverse/multiverse.json)
# make chapter NB=book/results/caseness.ipynb ARGS="-p exclusion_minutes 10"   re-run one chapter, render it
# make pdf           the whole book as one PDF (_build/pdf/book.pdf), printed by Chromium
# make twin          regenerate the synthetic twin (data/synthetic/ipof-survey-twin.csv)
# make lock          re-resolve requirements.lock from pyproject.toml (uv, with hashes)
# make bench         time builds, tests, reproduce and the multiverse (benchmarks/latest.json)
# make stress-build  five cold builds in a row (each must exit 0)
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-lock
SYSTEM_STAMP := _build/.system-packages
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: setup system lock test test-all lint reproduce multiverse chapter pdf twin bench book stress-build clean

setup: $(STAMP) system

# requirements.lock: every package (runtime, test, browser, dev), exact versions and their hashes
$(STAMP): requirements.lock pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@cp requirements.lock $(STAMP)

# after a change to pyproject.toml's dependencies: re-resolve (keeping the other pins), then `make` installs;
# requirements.txt is the runtime part of the lock without hashes, for environment.yml (Binder)
lock: $(STAMP)
	$(VENV)/bin/uv pip compile pyproject.toml --all-extras --generate-hashes --python $(PY) \
	  --custom-compile-command "make lock" --quiet -o requirements.lock
	$(VENV)/bin/uv pip compile pyproject.toml --constraint requirements.lock --python $(PY) --no-annotate \
	  --custom-compile-command "make lock" --quiet -o requirements.txt

# Debian's Graphviz (the program-theory diagram) and Chromium (browser test, PDF); a no-op when present
system:
	@command -v dot >/dev/null && command -v chromium >/dev/null || \
	  ($(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq graphviz chromium)

book: setup
	$(PY) -m bookkit.build

lint: $(STAMP)
	$(VENV)/bin/ruff check .

test: book lint
	$(PY) -m pytest -n 2 -m "not slow"

test-all: book lint
	$(PY) -m pytest -n 2

reproduce: $(STAMP)
	$(PY) -m analysis reproduce

multiverse: $(STAMP)
	$(PY) -m analysis multiverse

chapter: setup
	$(PY) -m bookkit.chapter_run $(NB) $(ARGS)

pdf: book
	$(PY) -m bookkit.pdf

twin: $(STAMP)
	$(PY) -m twin

bench: setup
	$(PY) benchmarks/bench.py

stress-build: setup
	for i in 1 2 3 4 5; do rm -rf _build && $(PY) -m bookkit.build || exit 1; done

clean:
	rm -rf _build .pytest_cache .ruff_cache
