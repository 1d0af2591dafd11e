# make run   — set everything up, crawl every configured site into data/ and print a summary
# make demo  — the same crawl, replayed offline from the bundled recordings
# make test  — set everything up (virtualenv, dependencies, PostgreSQL) and run the test suite
# make eval  — body-extraction quality against trafilatura and readability on ../shared/bench
# make bench — speed and memory of the full pipeline against plain Scrapy and trafilatura, of
#              archive import against news-please and trafilatura, of the archive browser's pages
# make bench-scale — what each archive operation costs at 10 thousand to 2 million articles
# make services     — PostgreSQL and $(NODES) scrapyd crawl nodes on 127.0.0.2… (no systemd)
# make demo-cluster — the demo's round over the scrapyd nodes into PostgreSQL, and its summary
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
SCRAPY := $(VENV)/bin/scrapy
PYTHON ?= python3
# every site with rules (crawler/sites/: the one list of sites), by its spider's name
SITE_SPIDERS = $(shell $(PY) -c "from crawler.sites import all_rules; print(*(r.spider for r in all_rules()))")
DEMO_WARC := data/demo/recordings.warc.gz
NODES ?= 3
UV_VERSION := 0.13.9
SERVICES := data/services

.PHONY: setup run demo demo-cluster test test-gate eval quality-gate bench bench-scale simulate simulate-policy lint postgres tools services stop-services clean

# the install does not byte-compile every file (uv's default): Python compiles what is imported,
# once, on first use, which needs bytecode writing on
unexport PYTHONDONTWRITEBYTECODE

# uv installs the pinned requirements in half of pip's time (parallel downloads and unpacking);
# the virtualenv has uv, not pip: `.venv/bin/uv pip install …` adds a package
$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv --without-pip $(VENV)
	@# uv into the virtualenv by the system's pip (seconds faster than giving the virtualenv a pip of its own)
	$(PYTHON) -m pip --python $(PY) install -q --disable-pip-version-check uv==$(UV_VERSION) \
		|| ($(PY) -m ensurepip -q && $(PY) -m pip install -q --disable-pip-version-check uv==$(UV_VERSION))
	$(VENV)/bin/uv pip install -q --python $(PY) -r requirements.txt
	touch $@

setup: $(VENV)/.installed
	@scripts/chromium.sh > /dev/null

run: setup
	@for site in $(SITE_SPIDERS); do $(SCRAPY) crawl $$site -s LOG_LEVEL=WARNING || exit 1; done
	@$(PY) -m archive stats

demo: setup
	@$(PY) -m archive pack tests/recordings/* --out $(DEMO_WARC)
	@for site in $(SITE_SPIDERS); do \
	  $(SCRAPY) crawl $$site -s REPLAY_FROM=$(DEMO_WARC) -s LOG_LEVEL=WARNING || exit 1; done
	@$(PY) -m archive list
	@$(PY) -m archive duplicates
	@$(PY) -m archive stats

# PostgreSQL (and `ip`, for the tests that crawl inside a network namespace)
postgres:
	@scripts/postgres.sh start > /dev/null
	@command -v ip >/dev/null || [ "$$(id -u)" != 0 ] || (apt-get update -qq && apt-get install -y -qq iproute2) >/dev/null

services: setup postgres
	@mkdir -p $(SERVICES)
	@$(PY) scripts/scrapyd_nodes.py start --nodes $(NODES) --home $(SERVICES) > $(SERVICES).urls
	@echo "PostgreSQL: $$(scripts/postgres.sh start)"
	@echo "SCRAPYD_URLS=$$(cat $(SERVICES).urls)"

stop-services:
	@[ ! -d $(SERVICES) ] || $(PY) scripts/scrapyd_nodes.py stop --home $(SERVICES)
	@scripts/postgres.sh stop

demo-cluster: services
	@$(PY) -m archive pack tests/recordings/* --out $(DEMO_WARC)
	@db=$$(scripts/postgres.sh fresh newsarchive_demo) && \
	  SCRAPYD_URLS=$$(cat $(SERVICES).urls) $(PY) -m archive --database $$db schedule --once \
	    --set REPLAY_FROM=$(abspath $(DEMO_WARC)) --set LOG_LEVEL=WARNING && \
	  $(PY) -m archive --database $$db list && \
	  $(PY) -m archive --database $$db duplicates && \
	  $(PY) -m archive --database $$db stats

# Debian's wget (the tests import WARC files it writes) and npm (ReplayWeb.page comes from its registry)
tools:
	@command -v npm >/dev/null || [ "$$(id -u)" != 0 ] || (apt-get update -qq && apt-get install -y -qq npm) >/dev/null
	@command -v wget >/dev/null || [ "$$(id -u)" != 0 ] || (apt-get update -qq && apt-get install -y -qq wget) >/dev/null

# other tools' clients the tests check the archive against (py-wacz, cdx_toolkit; pywb apart), in virtualenvs of their own
TEST_TOOLS := tests/.tools
$(TEST_TOOLS)/.installed: tests/tools-requirements.txt $(VENV)/.installed
	$(VENV)/bin/uv venv -q --allow-existing --python $(PY) $(TEST_TOOLS)
	$(VENV)/bin/uv pip install -q --python $(TEST_TOOLS)/bin/python -r tests/tools-requirements.txt
	touch $@

PYWB := tests/.pywb
$(PYWB)/.installed: tests/pywb-requirements.txt $(VENV)/.installed
	$(VENV)/bin/uv venv -q --allow-existing --python $(PY) $(PYWB)
	$(VENV)/bin/uv pip install -q --python $(PYWB)/bin/python -r tests/pywb-requirements.txt
	touch $@

# ReplayWeb.page's own build (its service worker and UI) from the npm registry: the tests serve it beside a package
RWP := tests/.rwp
REPLAYWEBPAGE := replaywebpage@2.5.3
$(RWP)/.installed: Makefile
	rm -rf $(RWP) && mkdir -p $(RWP)
	cd $(RWP) && npm pack -q --silent $(REPLAYWEBPAGE) > /dev/null && tar xzf replaywebpage-*.tgz && rm replaywebpage-*.tgz
	touch $@

# the tools are installed while the suite starts; the tests that use them wait (tests/conftest.py: tool)
test: export PG_FSYNC := off
test: setup postgres tools
	@for t in $(TEST_TOOLS) $(PYWB) $(RWP); do \
		rm -f $$t.failed; touch $$t.installing; \
		( $(MAKE) -s $$t/.installed > $$t.log 2>&1 && rm -f $$t.log || mv $$t.log $$t.failed; rm -f $$t.installing ) & \
	done
	TEST_POSTGRES_URL=$$(scripts/postgres.sh start) $(VENV)/bin/pytest -q -n 3 --dist loadfile --no-loadscope-reorder

# the simulated newsroom archived by real continuous crawls, once per re-check policy: SEED=, DAYS=, SITES=, SCALE=
simulate: setup
	$(PY) -m bench.simulate --seed $(or $(SEED),1) --days $(or $(DAYS),7) --sites $(or $(SITES),20) --scale $(or $(SCALE),0.1)

# the re-check policies replayed against a simulated newsroom's truth (no network): SEED=, DAYS=, SITES=
simulate-policy: setup
	$(PY) -m bench.policy_replay --seed $(or $(SEED),1) --days $(or $(DAYS),7) --sites $(or $(SITES),20)
	$(PY) -m bench.hindsight_bound --seed $(or $(SEED),1) --days $(or $(DAYS),7) --sites $(or $(SITES),20)

eval: setup
	$(PY) -m bench.eval_extraction

# the quality gate on every gated page (make test holds every other WCXB page to it)
test-gate: setup
	FULL_GATE=1 $(VENV)/bin/pytest -q -n 3 tests/test_bench_gate.py tests/test_bench_gate_wcxb.py

# rebuild the quality gate (tests/quality/bench-gate.json) from what generic extraction gets right today
quality-gate: setup
	$(PY) -m bench.quality_gate

# the tools `archive import` is compared with, in a virtualenv of their own (uv resolves news-please's pins)
PEERS := bench/.peers
$(PEERS)/.installed: bench/peers-requirements.txt $(VENV)/.installed
	$(PYTHON) -m venv $(PEERS)
	$(VENV)/bin/uv pip install -q --python $(PEERS)/bin/python -r bench/peers-requirements.txt
	touch $@

bench: setup postgres tools $(PEERS)/.installed
	@command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || (apt-get update -qq && apt-get install -y -qq nginx-light)
	BENCH_POSTGRES_URL=$$(scripts/postgres.sh start) $(PY) -m bench.run --peers $(PEERS)/bin/python

# each operation's cost by archive size, on PostgreSQL and SQLite (archives kept in bench/.scale and on
# the PostgreSQL server between runs): SIZES= (PostgreSQL), SQLITE_SIZES=, comma-separated
SIZES ?= 10000,100000,2000000
SQLITE_SIZES ?= 10000,100000,1000000
bench-scale: setup postgres
	$(PY) -m bench.scale --postgres $$(scripts/postgres.sh start) --sizes $(SIZES) --sqlite-sizes $(SQLITE_SIZES)

lint: setup
	$(VENV)/bin/ruff check .

clean:
	rm -rf data .pytest_cache
