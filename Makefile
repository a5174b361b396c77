# kpr-bok: two commands do all set-up on a fresh machine with Python 3.11.
#   make book   build the site on the embedded synthetic data (YEAR=2024 by default) into _build/html
#   make test   run the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
YEAR   ?= 2024
# Where the embedded synthetic extract is generated (git-ignored).
DATA   ?= work/syntetisk
SITE   ?= _build/html

.PHONY: install book test clean

# The virtual environment, created from pyproject.toml; re-installed when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

book: install
	$(BIN)/kpr build $(DATA) --year $(YEAR) --out $(SITE)

test: install
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

clean:
	rm -rf _build _executed work tables
