# Two commands: `make run` and `make test`. Both set everything up from a bare python3.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint index browser bench bench-scale clean

# torch==2.13.0 first: it is the CPU build on this machine's disk; anything else pulls CUDA.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

index: $(STAMP)
	$(BIN)/rag index

run: index
	$(BIN)/rag serve

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The page tests drive Debian's Chromium (no browser download); Noto CJK makes Hangul visible in
# their screenshots.  Installed only when missing, which needs root (as in CI).
browser:
	@command -v chromium >/dev/null && fc-list 2>/dev/null | grep -qi "noto sans cjk" || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk)

test: lint browser
	$(BIN)/pytest

# Figures, not tests: every number of the performance section in one run (txtai is installed into a
# throwaway venv under var/bench on first use).  bench-scale: 10k/100k/1M synthetic passages.
bench: $(STAMP)
	$(BIN)/python -m bench.perf

bench-scale: $(STAMP)
	$(BIN)/python -m bench.scale

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
