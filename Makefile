# Two commands do all set-up on a fresh clone: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install test demo bench lint clean

# The stamp is rebuilt when setup.py changes, so `make test` after a pull picks up new pins.
$(STAMP): setup.py
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[tests]"
	touch $(STAMP)

install:
	rm -f $(STAMP)
	$(MAKE) $(STAMP)

lint: $(STAMP)
	$(VENV)/bin/ruff check .

test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -q

demo: $(STAMP)
	$(VENV)/bin/mmvideo demo

# Each benchmark prints its table; figures and how they were measured are in BENCHMARKS.md.
BENCHES ?= $(sort $(wildcard bench/bench_*.py))
bench: $(STAMP)
	set -e; for script in $(BENCHES); do echo "== $$script"; $(PY) $$script; done

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
