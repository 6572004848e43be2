# make test      set up .venv (if needed) and run the tests
# make reproduce run the analysis engine on the shipped data (results in _build/results)
# make twin      regenerate the synthetic twin (data/synthetic/ipof-survey-twin.csv)
# make bench     time `reproduce` (figures for the notes; never asserted in tests)
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-requirements

.PHONY: setup test reproduce twin bench book clean

setup: $(STAMP)

$(STAMP): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@cp requirements.txt $(STAMP)

test: $(STAMP)
	$(PY) -m pytest

reproduce: $(STAMP)
	$(PY) -m analysis reproduce

twin: $(STAMP)
	$(PY) -m analysis.synthetic

bench: $(STAMP)
	$(PY) benchmarks/bench_reproduce.py

book:
	@echo "make book: the book itself arrives with issue #4; until then, 'make test' and 'make reproduce'." >&2
	@exit 2

clean:
	rm -rf _build .pytest_cache
