# Two commands do all the set-up: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
CXCTL  := $(VENV)/bin/cxctl
STAMP  := $(VENV)/.installed
# The demo evaluates the sample records at a fixed moment so it shows the same
# picture every time (breached, at-risk and met clocks among them).
DEMO_AS_OF ?= 2026-11-20T15:00:00+08:00

.PHONY: demo test bench sample clean help

help:
	@echo "make demo   - create $(VENV), install cxctl, run it on the sample records"
	@echo "make test   - create $(VENV) if needed, install test extras, run the tests"
	@echo "make bench  - benchmark at a reduced scale (SCALE=1.0 for full size)"
	@echo "make sample - regenerate records/ from tools/gen_sample.py (fixed seed)"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

demo: $(STAMP)
	$(CXCTL) --root records validate
	$(CXCTL) --root records ticket list --kind complaint --status open --limit 8
	$(CXCTL) --root records tier run --period 2026-01 --as-of $(DEMO_AS_OF)

test: $(STAMP)
	$(PY) -m pytest -q -n 2

sample: $(STAMP)
	$(PY) tools/gen_sample.py --out records

clean:
	rm -rf $(VENV) .pytest_cache records/.cxctl-cache
