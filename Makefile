# kpr-bok: two commands do all set-up on a fresh machine with Python 3.11.
#   make book   build the site on the embedded synthetic extract (YEAR=2024 by default; make book YEAR=2019)
#   make test   run the whole test suite (unit tests, the strict book build, nbval, headless Chromium)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# The statistics year of the book; 2024 is the latest year of the embedded synthetic extract.
YEAR   ?= 2024
# The embedded synthetic extract (git-ignored), generated once by kpr synth at SCALE (1.0 = Norway's size).
DATA   ?= work/syntetisk
SCALE  ?= 1.0
SEED   ?= 1
SITE   ?= _build/html

.PHONY: install book test clean

# The virtual environment, created from pyproject.toml; re-installed when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

# The synthetic extract (SPEC section 8), generated when it is missing (not when the environment is re-installed).
$(DATA)/personer.parquet: | $(VENV)/.installed
	$(BIN)/kpr synth --out $(DATA) --scale $(SCALE) --seed $(SEED)

book: $(VENV)/.installed $(DATA)/personer.parquet
	$(BIN)/kpr build $(DATA) --year $(YEAR) --out $(SITE)

test: $(VENV)/.installed
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

clean:
	rm -rf _build _executed work tables
