"""``kpr synth --check DIR``: achieved against published for every calibration target (SPEC section 8).

The achieved figures are computed by kprlib's own statistics (:func:`kprlib.person_year.compute_years` and the
definition modules: recipients, hours, turnover, decisions, housing, facts), exactly as the book computes them,
then divided by the extract's ``--scale`` (read from ``_synth.json``). Tolerances (the brief of the issue):
national totals 2 %, per-service and other counts 5 %, shares 3 percentage points, mean hours 10 %; each is
widened by the sampling error of a small extract (2.5 standard errors: ``2.5 / sqrt(n)`` relative for a count
of ``n`` persons in the extract, ``2.5 * sqrt(p (1 - p) / n)`` for a share with base ``n``, ``2.5 * 2 / sqrt(n)``
relative for mean hours), which is small at ``--scale 1``. Figures printed as a symbol in the seed are not checked.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from kprlib.person_year import compute_years
from kprlib.register import Register
from kprlib.synth.published_figures import figures
from kprlib.synth.simulation import METADATA_FILE

__all__ = ["Target", "Checker", "figure", "calibration_report", "format_report", "TOLERANCE"]

#: Tolerance per kind of figure: relative for counts and means, percentage points for shares.
TOLERANCE = {"total": 0.02, "count": 0.05, "share": 3.0, "mean": 0.10}
#: Coefficient of variation of weekly hours per person (heavy-tailed), for the sampling error of a mean.
_HOURS_CV = 2.0


@dataclass(frozen=True)
class Target:
    """One published figure, what the extract gives, the tolerance used and whether it is met."""

    source: str
    aar: int
    figure: str
    kind: str
    published: float
    achieved: float
    tolerance: float
    passed: bool


def figure(frame: pd.DataFrame, maal: str = "antall", **dims) -> float:
    """The ``verdi`` of measure ``maal`` at the given dimension codes of a tidy table (NaN when absent)."""
    mask = frame["maal"] == maal
    for column, code in dims.items():
        mask &= frame[column].astype(str) == str(code)
    values = frame.loc[mask, "verdi"]
    return float(values.iloc[0]) if len(values) else np.nan


class Checker:
    """Collects :class:`Target` rows: each method compares one published figure with the achieved one under
    the tolerance of its kind (see the module docstring); published counts are divided by ``scale``."""

    def __init__(self, scale: float):
        self.scale = scale
        self.rows: list[Target] = []

    def count(
        self,
        source: str,
        year: int,
        figure: str,
        published: float,
        achieved: float,
        *,
        kind: str = "count",
        scaled: bool = True,
    ) -> None:
        """A count of persons (or decisions); ``scaled=False`` for counts that do not shrink (municipalities)."""
        if not (np.isfinite(published) and published > 0):
            return
        factor = self.scale if scaled else 1.0
        in_extract = max(published * factor, 1.0)
        tolerance = TOLERANCE[kind] + 2.5 / np.sqrt(in_extract)
        scaled = achieved / factor
        self.rows.append(
            Target(
                source, year, figure, kind, published, scaled, tolerance, bool(abs(scaled / published - 1) <= tolerance)
            )
        )

    def share(self, source: str, year: int, figure: str, published: float, achieved: float, base: float) -> None:
        """A share in per cent whose denominator holds ``base`` persons in the extract."""
        if not np.isfinite(published):
            return
        p = min(max(published / 100, 0.0), 1.0)
        tolerance = TOLERANCE["share"] + 250 * np.sqrt(p * (1 - p) / max(base, 1.0))
        ok = np.isfinite(achieved) and abs(achieved - published) <= tolerance
        self.rows.append(Target(source, year, figure, "share", published, achieved, tolerance, bool(ok)))

    def mean(self, source: str, year: int, figure: str, published: float, achieved: float, base: float) -> None:
        """Mean hours a week over ``base`` persons in the extract."""
        if not np.isfinite(published):
            return
        tolerance = TOLERANCE["mean"] + 2.5 * _HOURS_CV / np.sqrt(max(base, 1.0))
        ok = np.isfinite(achieved) and abs(achieved / published - 1) <= tolerance
        self.rows.append(Target(source, year, figure, "mean", published, achieved, tolerance, bool(ok)))


def calibration_report(directory: str | Path) -> list[Target]:
    """Every calibration target of the extract in ``directory`` (written by ``kpr synth``), checked."""
    directory = Path(directory)
    meta_path = directory / METADATA_FILE
    if not meta_path.is_file():
        raise FileNotFoundError(f"{directory} has no {METADATA_FILE}: is it an extract written by kpr synth?")
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    register = Register.read(directory)
    years = [int(y) for y in meta["years"]]
    pys = compute_years(register, years, keep_basis=[y for y in years if y == 2019])
    check = Checker(float(meta["scale"]))
    from kprlib.synth.recipient_comparisons import RECIPIENT_COMPARISONS  # they use Checker: import late
    from kprlib.synth.service_comparisons import SERVICE_COMPARISONS

    pub = figures()
    for compare in (*RECIPIENT_COMPARISONS, *SERVICE_COMPARISONS):
        compare(check, pub, pys)
    return check.rows


def format_report(targets: list[Target]) -> str:
    """A plain-text table: source, year, figure, published, achieved, tolerance, and ok / AVVIK."""
    lines = [f"{'kilde':<18}{'år':>5}  {'mål':<34}{'publisert':>12}{'oppnådd':>12}{'toleranse':>11}  status"]
    for t in targets:
        tolerance = f"±{t.tolerance:.1f} pp" if t.kind == "share" else f"±{t.tolerance * 100:.1f} %"
        lines.append(
            f"{t.source:<18}{t.aar:>5}  {t.figure[:33]:<34}{t.published:>12,.1f}{t.achieved:>12,.1f}"
            f"{tolerance:>11}  {'ok' if t.passed else 'AVVIK'}"
        )
    failed = sum(not t.passed for t in targets)
    lines.append(f"{len(targets)} mål, {len(targets) - failed} innenfor toleransen, {failed} utenfor.")
    return "\n".join(lines)
