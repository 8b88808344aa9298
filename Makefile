# Two commands a newcomer needs: `make demo` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
LINTED := newscrawler spiders pipelines tests bench
# The dependency floors (constraints-min.txt) get their own environment and a smoke subset of the tests:
# storage, pipelines, the spider's failure handling, extraction, discovery and a real crawl of the demo sites.
FLOORS      := .venv-floors
FLOOR_TESTS := tests/test_store.py tests/test_pipelines.py tests/test_download_failures.py tests/test_extract.py \
               tests/test_discover.py tests/test_neardup.py tests/test_crawl_demo.py \
               tests/test_dup_reasons.py

.PHONY: install services demo test lint typecheck test-floors bench clean

$(BIN)/newscrawler: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/newscrawler

demo: install
	$(BIN)/newscrawler demo

# What CI runs (.ci/run, then test-floors): style, types, tests.
test: lint typecheck services
	$(BIN)/python -m pytest -q

# Debian's redis-server and chromium for the tests that need them (scripts/test-services.sh)
services:
	scripts/test-services.sh

lint: install
	$(BIN)/ruff check $(LINTED)

typecheck: install
	$(BIN)/mypy

$(FLOORS)/bin/pytest: pyproject.toml constraints-min.txt
	rm -rf $(FLOORS)
	$(PYTHON) -m venv $(FLOORS)
	$(FLOORS)/bin/python -m pip install --quiet --upgrade pip
	$(FLOORS)/bin/python -m pip install --quiet -c constraints-min.txt -e . pytest
	touch $@

test-floors: $(FLOORS)/bin/pytest
	$(FLOORS)/bin/python -m pytest -q -p no:cacheprovider $(FLOOR_TESTS)

bench: install
	$(BIN)/python bench/crawl.py

clean:
	rm -rf $(VENV) $(FLOORS) data/*.db data/*.db-wal data/*.db-shm
