# Two commands take a fresh machine to a working installation:
#   make run    create .venv, install, ingest the bundled sample corpus, build the index,
#               migrate and seed the demo database, serve the API and web page on 127.0.0.1:8000
#   make test   install the test extras and run the whole test suite
#   make test-fast  the same without the tests that embed real standards (marked slow), on one worker per core
#               plus one (the browser, server and job tests wait on other processes a quarter of the time)
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test
HOST ?= 127.0.0.1
PORT ?= 8000
FAST_WORKERS ?= $(shell echo $$(( $$(nproc 2>/dev/null || echo 1) + 1 )))

.PHONY: run test test-fast lint venv clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[st,dev]'
	touch $@ $(RUN_STAMP)

venv: $(RUN_STAMP)

run: $(RUN_STAMP)
	$(BIN)/zhijian ingest corpus/sample
	$(BIN)/zhijian serve --host $(HOST) --port $(PORT)

test: $(TEST_STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: $(TEST_STAMP)
	$(BIN)/python -m pytest -m "not slow" -n $(FAST_WORKERS) --dist loadfile $(PYTEST_ARGS)

lint: $(TEST_STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf var .pytest_cache
