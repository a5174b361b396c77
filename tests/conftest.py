"""Shared fixtures: the small synthetic extract the table builders' smoke tests run on."""

import pytest

from kprlib.synth import synthesize


@pytest.fixture(scope="session")
def small_synthetic(tmp_path_factory):
    """``kpr synth --scale 0.01 --years 2008-2024 --seed 1`` (about 4 000 recipients a year), made once per test
    session, so the smoke tests of every table run on a fresh checkout too (not only where work/liten exists)."""
    out = tmp_path_factory.mktemp("syntetisk") / "liten"
    synthesize(out, years=range(2008, 2025), scale=0.01, seed=1)
    return out
