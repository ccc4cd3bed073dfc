# The two commands of the README: `make demo` (solve the sample day) and `make test`.
# Each creates its own virtual environment in .venv and installs what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/scheduler solve data/samples/bayreuth --out out/sample --time-limit 8 --seed 1
	$(BIN)/scheduler check data/samples/bayreuth out/sample/roster.json

test: $(STAMP)
	$(BIN)/ruff check src tests benchmarks data
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks data
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python benchmarks/day.py
	$(BIN)/python benchmarks/road.py

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
