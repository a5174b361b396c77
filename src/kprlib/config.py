"""The project's one configuration file, read in one place into a frozen object.

Every threshold and every documented proxy of SPEC (D1 `k`, D4 symbol style, M3 test-user limit, M9 items and
cut-offs, M11 bands, M17 code sets, Q8/Q9 limits) lives in ``config.toml`` beside this module.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

CONFIG_PATH = Path(__file__).with_name("config.toml")


@dataclass(frozen=True)
class Config:
    """Frozen configuration; use :func:`load_config` to read it and :meth:`with_k` to vary the threshold."""

    k: int
    symbol_style: str
    test_user_min_municipalities: int
    bistandsbehov_items: tuple[str, ...]
    bistandsbehov_noe_below: float
    bistandsbehov_middels_below: float
    max_hours_per_week: float
    hour_band_edges: tuple[float, ...]
    hour_band_labels: tuple[str, ...]
    high_hours: float
    average_hours_codes: tuple[int, ...]
    bosituasjon_codes: dict[str, tuple[int, ...]] = field(hash=False)
    bolig_codes_before_2019: tuple[int, ...] = ()
    iverksettingstid_codes: tuple[int, ...] = ()
    individuell_plan_codes: tuple[int, ...] = ()
    quality_min_change_share: float = 0.2
    quality_min_change_persons: int = 20
    quality_merged_codes: tuple[int, ...] = ()
    #: SPEC section 8: parameters (documented proxies) of the synthetic extract, the ``[synth]`` table as read.
    synth: dict = field(default_factory=dict, hash=False, compare=False)

    def with_k(self, k: int) -> "Config":
        """A copy with another disclosure threshold (D1)."""
        if k < 1:
            raise ValueError(f"the threshold k must be at least 1, got {k}")
        return replace(self, k=k)


@lru_cache(maxsize=4)
def load_config(path: Path = CONFIG_PATH) -> Config:
    """Read ``config.toml`` into a :class:`Config`."""
    with open(path, "rb") as handle:
        raw = tomllib.load(handle)
    if raw["disclosure"]["symbol_style"] not in ("ssb", "tekst"):
        raise ValueError("disclosure.symbol_style must be 'ssb' or 'tekst'")
    bosit = raw["bosituasjon"]
    return Config(
        k=int(raw["disclosure"]["k"]),
        symbol_style=raw["disclosure"]["symbol_style"],
        test_user_min_municipalities=int(raw["test_users"]["min_municipalities"]),
        bistandsbehov_items=tuple(raw["bistandsbehov"]["items"]),
        bistandsbehov_noe_below=float(raw["bistandsbehov"]["noe_below"]),
        bistandsbehov_middels_below=float(raw["bistandsbehov"]["middels_below"]),
        max_hours_per_week=float(raw["hours"]["max_per_week"]),
        hour_band_edges=tuple(float(x) for x in raw["hours"]["band_edges"]),
        hour_band_labels=tuple(raw["hours"]["band_labels"]),
        high_hours=float(raw["hours"]["high_hours"]),
        average_hours_codes=tuple(raw["hours"]["average_hours_codes"]),
        bosituasjon_codes={name: tuple(bosit[name]) for name in ("langtid", "midlertidig", "bolig")},
        bolig_codes_before_2019=tuple(bosit["bolig_before_2019"]),
        iverksettingstid_codes=tuple(raw["iverksettingstid"]["codes"]),
        individuell_plan_codes=tuple(raw["individuell_plan"]["codes"]),
        quality_min_change_share=float(raw["quality"]["min_change_share"]),
        quality_min_change_persons=int(raw["quality"]["min_change_persons"]),
        quality_merged_codes=tuple(raw["quality"]["merged_codes"]),
        synth=raw.get("synth", {}),
    )
