# make book      set up .venv (if needed), execute the notebooks and build the site into _build/html
# make test      set up .venv (if needed), build the book, then run the tests
# make reproduce run the analysis engine on the shipped data (results in _build/results)
# make twin      regenerate the synthetic twin (data/synthetic/ipof-survey-twin.csv)
# make bench     time builds and `reproduce` (figures for the notes and the book; never asserted in tests)
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-requirements
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: setup test reproduce twin bench book chromium clean

setup: $(STAMP)

$(STAMP): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@cp requirements.txt $(STAMP)

test: book chromium
	$(PY) -m pytest

# Debian's Chromium for the browser test (root, as on CI machines; a no-op when present)
chromium:
	@command -v chromium >/dev/null || ($(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium)

reproduce: $(STAMP)
	$(PY) -m analysis reproduce

twin: $(STAMP)
	$(PY) -m analysis.synthetic

bench: $(STAMP)
	$(PY) benchmarks/bench.py

book: $(STAMP)
	$(PY) -m analysis.buildcache execute
	$(VENV)/bin/jupyter-book build . --warningiserror --nitpick --keep-going
	@echo "The book is at $(CURDIR)/_build/html/index.html"

clean:
	rm -rf _build .pytest_cache
