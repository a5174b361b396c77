"""The synthetic KPR extract (SPEC section 8): a calibrated microsimulation with realistic faults.

``kpr synth --out DIR`` writes it (:func:`synthesize`); ``kpr synth --check DIR`` compares it with the
published figures it is calibrated to (:func:`calibration_report`). Modules, in the order the simulation uses
them: :mod:`~kprlib.synth.targets` and :mod:`~kprlib.synth.profiles` (what the published figures ask for),
:mod:`~kprlib.synth.calibration` (raking, exact targeted sampling), :mod:`~kprlib.synth.territory` and
:mod:`~kprlib.synth.population` (municipalities across reforms, population), :mod:`~kprlib.synth.persons`,
:mod:`~kprlib.synth.services`, :mod:`~kprlib.synth.episodes`, :mod:`~kprlib.synth.decisions`,
:mod:`~kprlib.synth.assessments`, :mod:`~kprlib.synth.facts` (the microsimulation),
:mod:`~kprlib.synth.faults` (Q1-Q13), :mod:`~kprlib.synth.tables` and :mod:`~kprlib.synth.writer` (Parquet).
"""

from kprlib.synth.check import Target, calibration_report, format_report
from kprlib.synth.simulation import MANIFEST_FILE, METADATA_FILE, parse_years, read_manifest, synthesize

__all__ = [
    "read_manifest",
    "synthesize",
    "parse_years",
    "calibration_report",
    "format_report",
    "Target",
    "MANIFEST_FILE",
    "METADATA_FILE",
]
