"""The KPR extract contract (SPEC section 1): tables, columns, types and codes.

Column types are one of ``str``, ``int``, ``float``, ``date`` and ``bool``. Value rules that are structural (E1)
are expressed as pandera schemas (:func:`value_schema`); content problems are Q rules, not here (E2).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa

FUNKSJON_ITEMS: tuple[str, ...] = (
    "sosial_deltakelse", "beslutninger", "styre_atferd", "hukommelse", "kommunikasjon", "syn", "horsel",
    "husarbeid", "skaffe_varer", "lage_mat", "egen_helse", "personlig_hygiene", "paakledning", "spise",
    "toalett", "bevege_inne", "bevege_ute",
)
PRIVAT_HJELP_CODES: tuple[str, ...] = ("inntil_3", "3_9", "9_15", "15_pluss", "ukjent_omfang", "ingen")
UTFALL_CODES: tuple[str, ...] = ("innvilget", "avslag")
OPPLYSNING_FLAGS: tuple[str, ...] = (
    "individuell_plan", "koordinator", "bistand_arbeid", "transport_arbeid", "bistand_fritid",
    "transport_fritid", "heldogn", "rehab_utenfor",
)


@dataclass(frozen=True)
class ColumnSpec:
    """One column of the contract: name, type and whether nulls are allowed."""

    name: str
    kind: str
    nullable: bool = False


def _cols(*specs: tuple) -> tuple[ColumnSpec, ...]:
    return tuple(ColumnSpec(*spec) for spec in specs)


_KEY = (("aar", "int"), ("kommunenr", "str"), ("person_id", "str"))

TABLES: dict[str, tuple[ColumnSpec, ...]] = {
    "personer": _cols(("person_id", "str"), ("fodselsaar", "int"), ("kjonn", "int"), ("dodsdato", "date", True)),
    "tjenester": _cols(
        *_KEY, ("tjenestetype", "int"), ("vedtaksdato", "date", True), ("startdato", "date", True),
        ("sluttdato", "date", True), ("timer_per_uke", "float", True), ("orgnr", "str", True),
        ("rullerende", "bool", True),
    ),
    "funksjon": _cols(*_KEY, ("vurderingsdato", "date"), *((item, "int", True) for item in FUNKSJON_ITEMS)),
    "vedtak": _cols(*_KEY, ("tjenestetype", "int"), ("vedtaksdato", "date"), ("utfall", "str")),
    "klager": _cols(*_KEY, ("tjenestetype", "int"), ("mottatt_dato", "date")),
    "opplysninger": _cols(
        *_KEY, ("dato", "date"), ("individuell_plan", "bool", True), ("koordinator", "bool", True),
        ("privat_hjelp", "str", True), *((flag, "bool", True) for flag in OPPLYSNING_FLAGS[2:]),
    ),
    "venteliste": _cols(*_KEY, ("startdato", "date"), ("sluttdato", "date", True)),
    "befolkning": _cols(
        ("aar", "int"), ("kommunenr", "str"), ("alder", "int"), ("kjonn", "int"), ("folkemengde", "int"),
        ("dode", "int"),
    ),
}

#: Tables that must hold at least one row (E1); the others may be empty but must be present.
REQUIRED_NONEMPTY: tuple[str, ...] = ("personer", "tjenester", "befolkning")
#: Tables whose ``person_id`` must exist in ``personer`` (E1).
PERSON_TABLES: tuple[str, ...] = ("tjenester", "funksjon", "vedtak", "klager", "opplysninger", "venteliste")

#: pandas dtypes of the typed frames, per contract kind (nullable where the contract allows null).
PANDAS_DTYPES: dict[str, str] = {
    "str": "string[pyarrow]",
    "int": "Int64",
    "float": "float64",
    "date": "datetime64[ns]",
    "bool": "boolean",
}

_VALUE_CHECKS: dict[tuple[str, str], list[pa.Check]] = {
    ("personer", "kjonn"): [pa.Check.isin([1, 2], error="kjonn er 1 (mann) eller 2 (kvinne)")],
    ("befolkning", "kjonn"): [pa.Check.isin([1, 2], error="kjonn er 1 (mann) eller 2 (kvinne)")],
    ("befolkning", "alder"): [pa.Check.in_range(0, 105, error="alder 0-105")],
    ("befolkning", "folkemengde"): [pa.Check.ge(0, error="folkemengde >= 0")],
    ("befolkning", "dode"): [pa.Check.ge(0, error="dode >= 0")],
    ("vedtak", "utfall"): [pa.Check.isin(list(UTFALL_CODES), error="utfall er innvilget eller avslag")],
    ("opplysninger", "privat_hjelp"): [
        pa.Check.isin(list(PRIVAT_HJELP_CODES), error="privat_hjelp: " + ", ".join(PRIVAT_HJELP_CODES))
    ],
    **{
        ("funksjon", item): [pa.Check.isin([1, 2, 3, 4, 5, 9], error="skår 1-5, eller 9 (ikke relevant)")]
        for item in FUNKSJON_ITEMS
    },
}
_KOMMUNENR_CHECK = pa.Check.str_matches(r"^\d{4}$", error="fire sifre")


def column_names(table: str) -> tuple[str, ...]:
    """The contract's column names of ``table``, in order."""
    return tuple(spec.name for spec in TABLES[table])


def value_schema(table: str) -> pa.DataFrameSchema:
    """A pandera schema of the structural value rules of ``table`` (E1), for frames already typed."""
    columns = {}
    for spec in TABLES[table]:
        checks = list(_VALUE_CHECKS.get((table, spec.name), []))
        if spec.name == "kommunenr":
            checks.append(_KOMMUNENR_CHECK)
        columns[spec.name] = pa.Column(nullable=spec.nullable, checks=checks, coerce=False, required=True)
    return pa.DataFrameSchema(columns, strict=False, name=table)


def empty_frame(table: str) -> pd.DataFrame:
    """An empty typed frame of ``table`` (for fixtures and for tables with no rows)."""
    return pd.DataFrame(
        {spec.name: pd.Series(dtype=PANDAS_DTYPES[spec.kind]) for spec in TABLES[table]}
    )
