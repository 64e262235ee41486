# Two commands do all the set-up: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
CXCTL  := $(VENV)/bin/cxctl
STAMP  := $(VENV)/.installed
# The demo evaluates the sample records at a fixed moment so it shows the same
# picture every time (breached, at-risk and met clocks among them).
DEMO_AS_OF ?= 2026-11-20T15:00:00+08:00
# Benchmark size: 1.0 is 20 000 customers and 200 000 tickets (10+ minutes).
SCALE ?= 0.02
DEMO_OUT   ?= .demo-report

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
	@echo "== 1. Validate the sample records (schemas + cross-record rules)"
	$(CXCTL) --root records validate
	@echo
	@echo "== 2. SLA clocks overdue or about to breach, as of $(DEMO_AS_OF)"
	$(CXCTL) --root records sla check --as-of $(DEMO_AS_OF) --open --state breached,at_risk
	@echo
	@echo "== 3. How a disputed deadline was derived (a complaint over the National Day week)"
	$(CXCTL) --root records sla check --as-of $(DEMO_AS_OF) --explain T-01M3NE7T80KGFN --ticket T-01M3NE7T80KGFN
	@echo
	@echo "== 4. Desk shift handovers, 6-19 Nov (exit 1: it finds the planted discrepancies)"
	-$(CXCTL) --root records handover reconcile --from 2026-11-06 --to 2026-11-19
	@echo
	@echo "== 5. The January tiering run (summary; the full table lists every customer)"
	$(CXCTL) --root records tier run --period 2026-01 | tail -n 7
	@echo
	@echo "== 6. October complaint KPIs by team"
	$(CXCTL) --root records kpi summary --month 2026-10 --by team
	@echo
	@echo "== 7. The monthly cron report for October, written to $(DEMO_OUT)/ (exit 1: the month had breaches)"
	-$(CXCTL) --root records report monthly --month 2026-10 --out $(DEMO_OUT)

test: $(STAMP)
	$(PY) -m pytest -q -n 2

bench: $(STAMP)
	$(PY) bench/run.py --scale $(SCALE)

sample: $(STAMP)
	$(PY) tools/gen_sample.py --out records

clean:
	rm -rf $(VENV) .pytest_cache records/.cxctl-cache $(DEMO_OUT)
