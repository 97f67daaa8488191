# One command each: `make demo` (set up + main job on the bundled examples),
# `make test` (set up + ruff + mypy --strict + pytest).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup demo test lint typecheck pytest bench golden clean

$(BIN)/replatform: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(BIN)/replatform

setup: $(BIN)/replatform

demo: setup
	$(BIN)/replatform scan examples/aftersales-graph --fail-on never

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: setup
	$(BIN)/mypy

pytest: setup
	$(BIN)/pytest

test: lint typecheck pytest

golden: setup
	$(BIN)/pytest tests/test_golden.py --update-golden

bench: setup
	$(BIN)/python bench/discovery.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
