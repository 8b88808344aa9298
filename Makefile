# Two commands a newcomer needs: `make demo` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: install demo test lint bench clean

$(BIN)/newscrawler: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/newscrawler

demo: install
	$(BIN)/newscrawler demo

test: install
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check newscrawler spiders pipelines tests bench

bench: install
	$(BIN)/python bench/crawl.py

clean:
	rm -rf $(VENV) data/*.db data/*.db-wal data/*.db-shm
