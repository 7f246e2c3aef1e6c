# pai_algos: `make demo` and `make test` each set themselves up from nothing
# (a .venv with the package and its extras), then run.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
JOBS ?= 2
export NUMBA_CACHE_DIR ?= $(CURDIR)/.numba_cache

.PHONY: all venv test test-unit test-random test-cuda test-doctest test-wheel lint format demo bench docs readme clean

all: test

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test,cuda,viz,docs,ray,peers]"
	touch $(STAMP)

venv: $(STAMP)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Unit, parity, common and gallery tests, in parallel.
test-unit: $(STAMP)
	$(PY) -m pytest -n $(JOBS) --dist loadgroup -q --durations=25 tests --ignore=tests/cuda

# The unit tests on fresh random data (each test prints its seed for replay).
test-random: $(STAMP)
	PAI_ALGOS_TEST_SEED=random $(PY) -m pytest -n $(JOBS) --dist loadgroup -q tests --ignore=tests/cuda

# CUDA kernels under Numba's simulator: the variable must be set before numba is imported.
test-cuda: $(STAMP)
	NUMBA_ENABLE_CUDASIM=1 PAI_ALGOS_CUDA_TPB=7 $(PY) -m pytest -n $(JOBS) -q tests/cuda

# The Examples sections of the docstrings.
test-doctest: $(STAMP)
	$(PY) -m pytest -q --doctest-modules pai_algos

test: lint test-unit test-cuda test-doctest

demo: $(STAMP)
	$(VENV)/bin/pai-algos demo --output demo_output

bench: $(STAMP)
	$(PY) -m pip install --quiet -e ".[test,cuda,viz,bench]"
	$(PY) -m benchmarks

docs: $(STAMP)
	$(PY) -m sphinx -W --keep-going -b html docs docs/_build/html

readme: $(STAMP)
	$(PY) scripts/update_readme.py

clean:
	rm -rf $(VENV) .numba_cache build dist docs/_build docs/auto_examples docs/generated demo_output
