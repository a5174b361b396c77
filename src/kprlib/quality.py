"""The data-quality checks of SPEC section 5 (Q1-Q13), from seed 002 ("Datakvalitet og kompletthet").

One small function per rule, each taking the coded :class:`~kprlib.register.Register` and the statistics year
``Y`` and returning a tidy frame; no frame holds a ``person_id`` (persons are only counted, D6).

Row checks (Q2-Q7, Q12, Q13) look at what the municipalities reported: the rows of extract ``aar == Y``,
exact duplicates counted once (M4), whether or not a row counts for ``Y``. They return one row per service code
(``tjenestetype``) and a total ``alle`` with ``personer`` (distinct persons nationally), ``rader`` and
``kommuner`` (distinct reporting municipalities). :func:`trend` stacks a check over the last five years
(seed 002 figures 7-12).

- Q1 :func:`count_test_users`: the test users of M3 and the number of municipalities each appears in.
- Q2 :func:`invalid_codes`: codes not valid for ``Y`` as reported (10, 16 and, from 2019, 12/13 that are
  recoded to 29), per code.
- Q3 :func:`missing_hours`: services with hours (M11: 1, 2, 3, 4, 7, 8 when ``rullerende``, 9, 11, 15, 17, 22)
  without ``timer_per_uke``. Q4 :func:`excess_hours`: more than ``config.max_hours_per_week`` (168).
- Q5 :func:`start_after_end`; Q6 :func:`missing_start` (no ``startdato`` but a ``sluttdato``).
- Q7 :func:`orgnr_problems`: codes with a required ``orgnr`` whose number is missing, or not 9 digits with a
  correct modulus-11 check digit (read from the extract itself; the register drops ``orgnr``).
- Q8 :func:`municipality_changes` and Q9 :func:`service_changes`: recipients (M6, the data basis of M2-M4) per
  municipality, in total and per code (17/18/19/20/22 merged, config ``quality.merged_codes``), against
  ``Y-1`` mapped to ``Y``'s municipalities (E3); flagged at a change of at least 20 % and 20 persons.
- Q10 :func:`non_reporting` (M2); Q11 :func:`row_reconciliation` (E2); Q12 :func:`dead_before_year`;
  Q13 :func:`unknown_municipalities` (``kommunenr`` not in ``Y``'s classification, every person table).

The municipalities' comments on the appendix (seed 002 "Kommentar fra kommunen") come from an optional CSV that
statisticians fill in, read by :func:`read_comments`: UTF-8, comma-separated, header
``kommunenr,tjenestetype,kommentar``; ``kommunenr`` four digits, ``tjenestetype`` a code as in the appendix
(``8``, ``17_18_19_20_22``) or ``alle`` for the municipality as a whole. The book reads
``data/kommentarer/kommentarer_<Y>.csv`` when it exists.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from kprlib.basis import data_basis, find_test_users, harmonised_codes, missing_municipalities, reconciliation
from kprlib.codes import HOUR_CODES, ORGNR_REQUIRED_CODES, SERVICE_CODES
from kprlib.config import Config, load_config
from kprlib.geography import municipalities
from kprlib.register import Register
from kprlib.schema import PERSON_TABLES

__all__ = [
    "COMMENT_COLUMNS", "ROW_COLUMNS", "dead_before_year", "excess_hours", "flag_changes", "invalid_codes",
    "is_valid_orgnr", "merged_code", "missing_hours", "missing_start", "municipality_changes", "non_reporting",
    "orgnr_problems", "read_comments", "recipients_by_municipality", "row_reconciliation", "service_changes",
    "start_after_end", "count_test_users", "trend", "trend_years", "unknown_municipalities",
]

#: Columns of a row check's result.
ROW_COLUMNS = ["tjenestetype", "personer", "rader", "kommuner"]
#: Columns of the comments CSV (:func:`read_comments`).
COMMENT_COLUMNS = ["kommunenr", "tjenestetype", "kommentar"]
_ORGNR_WEIGHTS = np.array([3, 2, 7, 6, 5, 4, 3, 2])
_TREND_YEARS = 5


# -- helpers ------------------------------------------------------------------------------------------------
def _reported(register: Register, year: int, table: str = "tjenester") -> pd.DataFrame:
    """Rows of extract ``aar == year`` of ``table`` (a slice, not copied; select with :func:`_found`)."""
    return register.rows(table, year)


def _found(rows: pd.DataFrame, mask: np.ndarray) -> pd.DataFrame:
    """The rows meeting ``mask``, exact duplicates counted once (M4)."""
    return rows[mask & ~rows["duplikat"].to_numpy()]


def _summary(rows: pd.DataFrame, *, by: str = "tjenestetype") -> pd.DataFrame:
    """Per code of ``by`` and in total (``alle``): distinct persons, rows and municipalities of ``rows``."""
    def count(part: pd.DataFrame) -> tuple[int, int, int]:
        return part["person"].nunique(), len(part), part["kommune"].nunique()

    parts = [(str(code), *count(part)) for code, part in rows.groupby(by, sort=True)]
    parts.append(("alle", *count(rows)))
    return pd.DataFrame(parts, columns=[by, "personer", "rader", "kommuner"])


def trend_years(register: Register, year: int, *, years: int = _TREND_YEARS) -> list[int]:
    """The last ``years`` reporting years up to ``year`` that the extract holds (seed 002 figures 7-12)."""
    return [y for y in register.years() if year - years < y <= year]


def trend(check, register: Register, year: int, **options) -> pd.DataFrame:
    """``check(register, y, **options)`` for each of :func:`trend_years`, stacked with ``aar`` first."""
    parts = [check(register, y, **options).assign(aar=y) for y in trend_years(register, year)]
    frame = pd.concat(parts, ignore_index=True)
    return frame[["aar", *[c for c in frame.columns if c != "aar"]]]


# -- Q1, Q2 -------------------------------------------------------------------------------------------------
def count_test_users(register: Register, year: int, *, config: Config | None = None) -> pd.DataFrame:
    """Q1 (M3, seed 002 note 5): one row per test user, numbered 1, 2, ... from the most widespread
    (``testbruker``), with ``kommuner``, the municipalities it appears in across the person tables of ``Y``."""
    users = find_test_users(register, year, config=config)
    counts = users["kommuner"].sort_values(ascending=False, kind="stable").to_numpy()
    return pd.DataFrame({"testbruker": [str(i + 1) for i in range(len(counts))], "kommuner": counts})


def invalid_codes(register: Register, year: int) -> pd.DataFrame:
    """Q2 (seed 002 figure 8): service rows whose code, as reported, is not valid in ``Y`` (section 2), per code:
    persons, rows and municipalities. 12 and 13 from 2019 are found here though they count as 29."""
    rows = _reported(register, year)
    codes = pd.unique(rows["tjenestetype"])
    invalid = [c for c in codes if int(c) not in SERVICE_CODES or not SERVICE_CODES[int(c)].valid_in(year)]
    return _summary(_found(rows, rows["tjenestetype"].isin(invalid).to_numpy()))


# -- Q3-Q6, Q12 ---------------------------------------------------------------------------------------------
def _hour_rows(rows: pd.DataFrame) -> np.ndarray:
    """Rows of services with hours (M11; code 8 only when ``rullerende``)."""
    codes = rows["tjenestetype"].to_numpy()
    return np.isin(codes, HOUR_CODES) & ((codes != 8) | (rows["rullerende"].to_numpy() == 1))


def missing_hours(register: Register, year: int) -> pd.DataFrame:
    """Q3 (seed 002 figure 9): rows of services with hours (M11) without ``timer_per_uke``."""
    rows = _reported(register, year)
    return _summary(_found(rows, _hour_rows(rows) & np.isnan(rows["timer_per_uke"].to_numpy())))


def excess_hours(register: Register, year: int, *, config: Config | None = None) -> pd.DataFrame:
    """Q4 (seed 002 figure 10): rows with more than ``config.max_hours_per_week`` (168) hours a week."""
    limit = (config or load_config()).max_hours_per_week
    rows = _reported(register, year)
    return _summary(_found(rows, rows["timer_per_uke"].to_numpy() > limit))


def start_after_end(register: Register, year: int) -> pd.DataFrame:
    """Q5 (seed 002 figure 11): rows whose ``startdato`` is later than their ``sluttdato``."""
    rows = _reported(register, year)
    return _summary(_found(rows, rows["startdato"].to_numpy() > rows["sluttdato"].to_numpy()))


def missing_start(register: Register, year: int) -> pd.DataFrame:
    """Q6 (seed 002 figure 12): rows without ``startdato`` but with a ``sluttdato``."""
    rows = _reported(register, year)
    return _summary(_found(rows, rows["startdato"].isna().to_numpy() & rows["sluttdato"].notna().to_numpy()))


def dead_before_year(register: Register, year: int) -> pd.DataFrame:
    """Q12: service rows of ``Y`` of persons who died before 1.1.``Y``."""
    rows = _reported(register, year)
    died = register.persons["dodsdato"].to_numpy()[rows["person"].to_numpy()]
    return _summary(_found(rows, died < np.datetime64(f"{year}-01-01")))


# -- Q7 -----------------------------------------------------------------------------------------------------
def is_valid_orgnr(values: pd.Series) -> np.ndarray:
    """Q7: nine digits whose ninth is the modulus-11 check digit of the first eight (weights 3 2 7 6 5 4 3 2;
    remainder 0 gives 0, remainder 1 makes the number impossible). Null is not valid."""
    text = values.astype("string").fillna("")
    shaped = text.str.fullmatch(r"\d{9}").fillna(False).to_numpy(dtype=bool)
    padded = text.where(shaped, "000000000").to_numpy(dtype=str)
    digits = np.frombuffer("".join(padded).encode(), dtype=np.uint8).reshape(-1, 9).astype(np.int64) - 48
    remainder = (digits[:, :8] * _ORGNR_WEIGHTS).sum(axis=1) % 11
    check = np.where(remainder == 0, 0, 11 - remainder)
    return shaped & (check == digits[:, 8])


def _required_rows(directory: Path, year: int) -> pa.Table:
    """Rows of extract ``year`` with a code that requires an ``orgnr``, every column (Parquet read directly)."""
    path = directory / "tjenester.parquet"
    if path.is_file():
        required = (pc.field("aar") == year) & pc.field("tjenestetype").isin(list(ORGNR_REQUIRED_CODES))
        values = pq.read_table(path, columns=["orgnr"], filters=required).column("orgnr").unique().drop_null()
        good = values.filter(pa.array(is_valid_orgnr(pd.Series(values.to_pylist(), dtype=object))))
        return pq.read_table(path, filters=required & ~(pc.field("orgnr").isin(good) & pc.field("orgnr").is_valid()))
    else:
        from kprlib.extract import read_extract

        table = pa.Table.from_pandas(read_extract(directory, tables=["tjenester"], years=[year]).tables["tjenester"],
                                     preserve_index=False)
    codes = table.column("tjenestetype").cast(pa.int64())
    return table.filter(pc.is_in(codes, value_set=pa.array(ORGNR_REQUIRED_CODES, pa.int64())))


def orgnr_problems(register: Register, year: int) -> pd.DataFrame:
    """Q7 (seed 002 figure 7): rows with a required organisation number (section 2) that is missing
    (``feil == "mangler"``) or invalid (``"ugyldig"``, :func:`is_valid_orgnr`), per fault and code: persons,
    rows, municipalities. Exact duplicate rows count once (M4)."""
    table = _required_rows(Path(register.path), year)
    codes, distinct = pd.factorize(table.column("orgnr").to_pandas())
    valid = np.append(is_valid_orgnr(pd.Series(distinct, dtype=object)), False)
    bad = table.filter(pa.array(~valid[codes])).to_pandas().drop_duplicates()
    bad = bad.assign(feil=np.where(bad["orgnr"].isna(), "mangler", "ugyldig"),
                     person=bad["person_id"], kommune=bad["kommunenr"])
    parts = [_summary(bad[bad["feil"] == kind]).assign(feil=kind) for kind in ("mangler", "ugyldig")]
    return pd.concat(parts, ignore_index=True)[["feil", *ROW_COLUMNS]]


# -- Q8, Q9 -------------------------------------------------------------------------------------------------
def merged_code(code: int, *, config: Config | None = None) -> str:
    """A service code as the appendix shows it: the codes of ``config.quality_merged_codes`` as one
    (``17_18_19_20_22``, seed 002 Vedlegg), any other as its number."""
    merged = (config or load_config()).quality_merged_codes
    return "_".join(map(str, merged)) if int(code) in merged else str(int(code))


def recipients_by_municipality(register: Register, year: int, *, classification: int | None = None,
                               config: Config | None = None) -> pd.DataFrame:
    """Recipients (M6, counting rows of the data basis, M2-M4) per municipality, in total (``tjenestetype`` =
    ``alle``) and per appendix code (:func:`merged_code`): ``kommunenr`` (in ``classification``'s codes,
    default ``year``'s, E3), ``tjenestetype``, ``antall``."""
    config = config or load_config()
    classification = classification or year
    key = ("quality_recipients", year, classification, config.quality_merged_codes)
    if key not in register.cache:
        used = data_basis(register, year, config=config, tables=("tjenester",)).used(
            "tjenester", columns=["kommune", "person", "tjenestetype"])
        register.cache[key] = _count_recipients(register, used, year, classification, config)
    return register.cache[key].copy()


def _count_recipients(register: Register, used: pd.DataFrame, year: int, classification: int,
                      config: Config) -> pd.DataFrame:
    """Distinct persons per municipality (mapped to ``classification``) in total and per appendix code."""
    kommune_ids, kommune = np.unique(used["kommune"].to_numpy(), return_inverse=True)
    codes = pd.Series(register.kommunenr(kommune_ids))
    if classification != year:
        codes = harmonised_codes(codes, year, classification)
    names, kommune = np.unique(codes.to_numpy()[kommune], return_inverse=True)
    labels, code = np.unique([merged_code(c, config=config) for c in used["tjenestetype"].to_numpy()]
                             if len(used) else np.array([], dtype=str), return_inverse=True)
    person = used["person"].to_numpy().astype(np.int64)
    size = int(person.max()) + 1 if len(person) else 1
    frames = []
    for label, group in [("alle", kommune.astype(np.int64))] + [(None, kommune * 64 + code)]:
        found, counts = np.unique(np.unique(group * size + person) // size, return_counts=True)
        frames.append(pd.DataFrame({"kommunenr": names[found if label else found // 64],
                                    "tjenestetype": label if label else labels[found % 64], "antall": counts}))
    return pd.concat(frames, ignore_index=True)


def flag_changes(before: pd.Series, after: pd.Series, *, config: Config | None = None) -> np.ndarray:
    """Q8/Q9: a change of at least ``quality_min_change_persons`` (20) persons and at least
    ``quality_min_change_share`` (20 %) of the count before (any change of that size from 0)."""
    config = config or load_config()
    difference = (after - before).abs()
    share = difference / before.where(before > 0)
    return ((difference >= config.quality_min_change_persons)
            & (share.isna() | (share >= config.quality_min_change_share))).to_numpy()


def _changes(register: Register, year: int, config: Config | None) -> pd.DataFrame:
    """Recipients per municipality and code in ``Y-1`` (``antall_forrige``) and ``Y`` (``antall``), on ``Y``'s
    municipalities, with ``endring_prosent`` (M23) and ``flagget`` (:func:`flag_changes`)."""
    now = recipients_by_municipality(register, year, config=config)
    before = recipients_by_municipality(register, year - 1, classification=year, config=config)
    frame = now.merge(before.rename(columns={"antall": "antall_forrige"}), on=["kommunenr", "tjenestetype"],
                      how="outer").fillna({"antall": 0, "antall_forrige": 0})
    frame = frame.astype({"antall": np.int64, "antall_forrige": np.int64})
    frame["endring_prosent"] = (frame["antall"] - frame["antall_forrige"]) / frame["antall_forrige"].where(
        frame["antall_forrige"] > 0) * 100
    frame["flagget"] = flag_changes(frame["antall_forrige"], frame["antall"], config=config)
    columns = ["kommunenr", "tjenestetype", "antall_forrige", "antall", "endring_prosent", "flagget"]
    return frame.sort_values(["kommunenr", "tjenestetype"], ignore_index=True)[columns]


def municipality_changes(register: Register, year: int, *, config: Config | None = None) -> pd.DataFrame:
    """Q8 (seed 002 figure 6): municipalities whose recipients changed by at least 20 % and 20 persons from
    ``Y-1``: ``kommunenr``, ``kommunenavn``, ``antall_forrige``, ``antall``, ``endring_prosent``."""
    frame = _changes(register, year, config)
    flagged = frame[frame["flagget"] & (frame["tjenestetype"] == "alle")]
    return _named(flagged.drop(columns=["tjenestetype", "flagget"]), year)


def service_changes(register: Register, year: int, *, config: Config | None = None) -> pd.DataFrame:
    """Q9 (seed 002 Vedlegg): municipality x service (17/18/19/20/22 merged) with a change of at least 20 %
    and 20 persons: ``kommunenr``, ``kommunenavn``, ``tjenestetype``, ``antall_forrige``, ``antall``,
    ``endring_prosent``."""
    frame = _changes(register, year, config)
    flagged = frame[frame["flagget"] & (frame["tjenestetype"] != "alle")]
    return _named(flagged.drop(columns=["flagget"]), year)


def _named(frame: pd.DataFrame, year: int) -> pd.DataFrame:
    names = municipalities(year).set_index("kommunenr")["kommunenavn"]
    named = frame.assign(kommunenavn=frame["kommunenr"].map(names).fillna(""))
    first = ["kommunenr", "kommunenavn"]
    return named[[*first, *[c for c in frame.columns if c not in first]]].reset_index(drop=True)


# -- Q10, Q11, Q13 ------------------------------------------------------------------------------------------
def non_reporting(register: Register, year: int) -> pd.DataFrame:
    """Q10 (M2, seed 001 chapter 1.4): municipalities with rows in ``Y-1`` and none in ``Y``, with the
    recipients their ``Y-1`` rows stand in for (``antall_forrige``)."""
    missing = missing_municipalities(register, year)
    if missing.empty or register.row_count("tjenester", year - 1) == 0:
        return missing.assign(antall_forrige=pd.Series(dtype=np.int64))
    before = recipients_by_municipality(register, year - 1)
    totals = before[before["tjenestetype"] == "alle"].set_index("kommunenr")["antall"]
    return missing.assign(antall_forrige=missing["kommunenr"].map(totals).fillna(0).astype(np.int64))


def row_reconciliation(register: Register, year: int, *, config: Config | None = None, basis=None) -> pd.DataFrame:
    """Q11 (E2): rows read = rows used + rows excluded, per table and reason (:func:`kprlib.basis.reconciliation`;
    ``basis`` reused when given)."""
    basis = basis if basis is not None else data_basis(register, year, config=config)
    return reconciliation(basis, register)


def unknown_municipalities(register: Register, year: int) -> pd.DataFrame:
    """Q13 (E3): rows of every person table of extract ``Y`` whose ``kommunenr`` is not in ``Y``'s
    classification, per code: ``kommunenr``, ``personer``, ``rader`` (exact duplicates once)."""
    known = set(municipalities(year)["kommunenr"])
    unknown = np.flatnonzero([code not in known for code in register.municipalities])
    parts = []
    for name in PERSON_TABLES:
        rows = _reported(register, year, name)
        parts.append(_found(rows, np.isin(rows["kommune"].to_numpy(), unknown))[["person", "kommune"]])
    rows = pd.concat(parts, ignore_index=True)
    rows = rows.assign(kommunenr=register.kommunenr(rows["kommune"].to_numpy()))
    return _summary(rows, by="kommunenr").drop(columns="kommuner")


# -- comments -----------------------------------------------------------------------------------------------
def read_comments(path: str | Path | None) -> pd.DataFrame:
    """The municipalities' comments on the appendix (module docstring): ``kommunenr``, ``tjenestetype``,
    ``kommentar``; empty when ``path`` is None or does not exist. Raises ValueError on a wrong header."""
    if path is None or not Path(path).is_file():
        return pd.DataFrame(columns=COMMENT_COLUMNS, dtype=object)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    missing = [c for c in COMMENT_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{path}: the comments file needs the columns {', '.join(COMMENT_COLUMNS)}; "
                         f"missing {', '.join(missing)}")
    frame = frame[COMMENT_COLUMNS].apply(lambda column: column.str.strip())
    frame["kommunenr"] = frame["kommunenr"].str.zfill(4)
    return frame[frame["kommentar"] != ""].reset_index(drop=True)
