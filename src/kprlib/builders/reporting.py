"""Tables 1.2 and 1.3 of the methods appendix: who reported for the year, and what became of every row read.

- 1.2 (M2, Q10; seed 001 chapter 1.4 and its footnote 1): the municipalities that reported for ``Y-1`` but not
  for ``Y``, each represented by its ``Y-1`` figures, with their number. A list of municipalities, not a person
  count: the measure ``kommuner`` is declared ``other`` and is never suppressed.
- 1.3 (E2, Q11): the rows of each extract table read for ``Y``, used, and left out per named reason
  (:func:`kprlib.basis.reconciliation`). Row counts are not person counts, so they are not suppressed either.
"""

from __future__ import annotations

import pandas as pd

from kprlib.basis import REASONS, reconciliation
from kprlib.builders import TableContext, builds
from kprlib.labels import MARGIN
from kprlib.schema import PERSON_TABLES
from kprlib.table import PublishedTable

__all__ = ["RECONCILIATION_LABELS", "reconciliation_frame", "stand_in_frame", "table_1_2", "table_1_3"]

#: Rows of table 1.3 before the reasons: rows read, used, and left out in all (read = used + left out, E2).
_SUMMARY = {"lest": "Rader lest", "brukt": "Rader brukt", "utelatt": "Rader utelatt i alt, av disse:"}
#: Row labels of table 1.3: the summary rows, then each E2 reason as the data-quality chapter names it.
RECONCILIATION_LABELS: dict[str, str] = {**_SUMMARY, **{code: f"- {text}" for code, text in REASONS.items()}}
#: Extract tables in the order of SPEC section 1.
_TABLE_ORDER = ["personer", *PERSON_TABLES, "befolkning"]


def stand_in_frame(stand_ins: pd.DataFrame) -> pd.DataFrame:
    """M2: one row per non-reporting municipality (``kommunenr``, ``verdi`` 1) and the total (``alle``).

    ``stand_ins`` is :attr:`kprlib.person_year.PersonYear.stand_ins` (``kommunenr``, ``kommunenavn``,
    ``kommunenr_ny``; :func:`kprlib.basis.missing_municipalities`). The measure is ``kommuner``.
    """
    codes = stand_ins["kommunenr"].astype(str).tolist()
    return pd.DataFrame({"kommunenr": [*codes, MARGIN], "maal": "kommuner",
                         "verdi": [1.0] * len(codes) + [float(len(codes))]})


@builds("1.2")
def table_1_2(context: TableContext) -> PublishedTable:
    """Seed 001 chapter 1.4: municipalities that did not report for Y and are represented by their Y-1 figures
    (M2), labelled ``<kommunenr> <name>`` as of Y-1, with the total number."""
    stand_ins = context.current.stand_ins
    names = {str(code): f"{code} {name}".strip()
             for code, name in zip(stand_ins["kommunenr"], stand_ins["kommunenavn"])}
    return context.table("1.2", stand_in_frame(stand_ins), counts=(), other=("kommuner",),
                         rows=["kommunenr"], columns=["maal"], margin_first=False,
                         labels={"kommunenr": {**names, MARGIN: "Kommuner i alt"}},
                         measure_labels={"kommuner": "Antall kommuner"})


def reconciliation_frame(reconciled: pd.DataFrame) -> pd.DataFrame:
    """E2: :func:`kprlib.basis.reconciliation` as a table frame (``tabell``, ``arsak``, ``maal`` = ``rader``).

    Per extract table: rows read (``lest``), used (``brukt``), left out in all (``utelatt`` = read - used), then
    the rows of each reason that occurs, so each table reads: read = used + left out = used + its reasons.
    """
    wide = reconciled.pivot_table(index="tabell", columns="arsak", values="rader", aggfunc="sum", fill_value=0)
    wide["utelatt"] = wide["lest"] - wide["brukt"]
    tables = [name for name in _TABLE_ORDER if name in wide.index]
    reasons = [code for code in RECONCILIATION_LABELS if code in wide.columns]
    frame = wide.loc[tables, reasons].reset_index().melt(id_vars="tabell", var_name="arsak", value_name="verdi")
    frame = frame[frame["arsak"].isin(_SUMMARY) | frame["verdi"].gt(0)]
    frame = frame.assign(maal="rader", verdi=frame["verdi"].astype(float))[["tabell", "arsak", "maal", "verdi"]]
    rank = {code: i for i, code in enumerate(reasons)}
    order = frame["tabell"].map({name: i for i, name in enumerate(tables)}) * 100 + frame["arsak"].map(rank)
    return frame.iloc[order.argsort(kind="stable")].reset_index(drop=True)


@builds("1.3")
def table_1_3(context: TableContext) -> PublishedTable:
    """E2 / Q11: rows read, used and left out per extract table and reason for Y (rows, not persons)."""
    frame = reconciliation_frame(reconciliation(context.current.basis, context.register))
    order = {"tabell": list(frame["tabell"].drop_duplicates()), "arsak": list(RECONCILIATION_LABELS)}
    return context.table("1.3", frame, counts=(), other=("rader",), margins={}, rows=["tabell", "arsak"],
                         columns=["maal"], order=order, labels={"arsak": RECONCILIATION_LABELS},
                         dimension_labels={"tabell": "Tabell i uttrekket", "arsak": ""},
                         measure_labels={"rader": "Rader, antall"})
