# make run   — set everything up, crawl every configured site into data/ and print a summary
# make demo  — the same crawl, replayed offline from the bundled recordings
# make test  — set everything up (virtualenv, dependencies, PostgreSQL) and run the test suite
# make eval  — body-extraction quality against trafilatura and readability on ../shared/bench
# make bench — speed and memory of the full pipeline against plain Scrapy and trafilatura
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
SCRAPY := $(VENV)/bin/scrapy
PYTHON ?= python3
SITES := kinhtedothi thanhnien
DEMO_WARC := data/demo/recordings.warc.gz

.PHONY: setup run demo test eval quality-gate bench lint services clean

# pip's byte-compiling of every installed file is half of the install's time: it is skipped, and
# Python compiles what is imported, once, on first use, which needs bytecode writing on
unexport PYTHONDONTWRITEBYTECODE

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check --upgrade pip
	$(PY) -m pip install -q --disable-pip-version-check --no-compile -r requirements.txt
	touch $@

setup: $(VENV)/.installed
	@scripts/chromium.sh > /dev/null

run: setup
	@for site in $(SITES); do $(SCRAPY) crawl $$site -s LOG_LEVEL=WARNING || exit 1; done
	@$(PY) -m archive stats

demo: setup
	@$(PY) -m archive pack tests/recordings/* --out $(DEMO_WARC)
	@for site in $(SITES) hanhkhatkito; do \
	  $(SCRAPY) crawl $$site -s REPLAY_FROM=$(DEMO_WARC) -s LOG_LEVEL=WARNING || exit 1; done
	@$(PY) -m archive list
	@$(PY) -m archive duplicates
	@$(PY) -m archive stats

services:
	@scripts/postgres.sh start > /dev/null
	@command -v ip >/dev/null || [ "$$(id -u)" != 0 ] || (apt-get update -qq && apt-get install -y -qq iproute2) >/dev/null

test: setup services
	TEST_POSTGRES_URL=$$(scripts/postgres.sh start) $(VENV)/bin/pytest -q -n 3 --dist loadfile

eval: setup
	$(PY) -m bench.eval_extraction

# rebuild the quality gate (tests/quality/bench-gate.json) from what generic extraction gets right today
quality-gate: setup
	$(PY) -m bench.quality_gate

bench: setup services
	@command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || (apt-get update -qq && apt-get install -y -qq nginx-light)
	BENCH_POSTGRES_URL=$$(scripts/postgres.sh start) $(PY) -m bench.run

lint: setup
	$(VENV)/bin/ruff check .

clean:
	rm -rf data .pytest_cache
