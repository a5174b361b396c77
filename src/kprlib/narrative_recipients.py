"""Computed comparisons for the narrative of chapters 2.1-2.3 (recipients, age and sex, functional level).

The chapters state comparisons in words: whether a number rose or fell, which age group is largest, where women
outnumber men. Each function here reads only *published* values of a :class:`~kprlib.table.PublishedTable`
(:meth:`~kprlib.table.PublishedTable.value`), so a comparison never rests on a suppressed figure (D5); when a
value it needs is suppressed or missing, it says so with the D4 symbol ``:`` (or an empty list) rather than
guessing. Texts are Norwegian bokmål, numbers formatted with :func:`kprlib.formatting.format_number`.
"""

from __future__ import annotations

from kprlib.change import percent_change
from kprlib.formatting import format_number
from kprlib.labels import MARGIN, code_label, sort_codes
from kprlib.rounding import round_half_up

__all__ = ["about", "age_trend", "change_between", "change_from_previous", "change_range", "extremes",
           "first_year", "group_name", "group_names", "larger_sex", "ranked_groups", "sex_difference", "sex_gaps",
           "sex_majority_groups", "sex_majority_phrase"]

#: Shown in the text instead of a comparison whose values are not all published (D4 "suppressed").
UNKNOWN = ":"
_SEX_WORDS = {"K": "kvinner", "M": "menn"}


def _published(table, maal: str, **dims: object) -> float | None:
    """The published value of a cell, None when it is suppressed or the table has no such cell."""
    try:
        return table.value(maal, **dims)
    except KeyError:
        return None


def _words(earlier: float, later: float) -> tuple[str, str]:
    if later > earlier:
        return "økt", "en økning"
    if later < earlier:
        return "gått ned", "en nedgang"
    return "vært uendret", "ingen endring"


def group_name(dimension: str, code: object) -> str:
    """The code's label as it reads inside a sentence ("0-17 år", "noe/avgrenset bistandsbehov")."""
    label = code_label(dimension, code)
    return label if dimension == "aldersgruppe" else label[:1].lower() + label[1:]


def group_names(dimension: str, codes: list[str]) -> str:
    """Labels joined as a Norwegian list: "0-17 år", "0-17 år og 90 år og over", "a, b og c"."""
    names = [group_name(dimension, code) for code in codes]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " og " + names[-1]


def about(value: float | None) -> str:
    """A rough size for prose, two significant digits rounded half up ("rundt 84 000" style, without "rundt")."""
    if value is None:
        return UNKNOWN
    digits = len(str(int(abs(value)))) if abs(value) >= 1 else 1
    scale = 10 ** max(0, digits - 2)
    return format_number(float(round_half_up(value / scale)) * scale)


def change_between(table, maal: str = "antall", *, start: int, end: int, **dims: object) -> dict[str, str]:
    """M23: the change of one cell of a time series table (dimension ``aar``) from year ``start`` to ``end``.

    ``dims`` fixes the other dimensions (e.g. ``bistandsbehov="noe"``). Returns the texts ``verb`` ("økt",
    "gått ned", "vært uendret"), ``noun`` ("en økning", "en nedgang", "ingen endring"), ``forskjell`` (the
    absolute difference), ``prosent`` (the absolute per cent change, one decimal), ``fra`` and ``til`` (the
    two values as the table shows them); each is ``:`` when a value is suppressed or the year is missing.
    """
    earlier, later = _published(table, maal, aar=start, **dims), _published(table, maal, aar=end, **dims)
    decimals = table.decimals.get(maal, 0)
    texts = {"fra": _text(earlier, decimals), "til": _text(later, decimals)}
    if earlier is None or later is None:
        return {"verb": UNKNOWN, "noun": UNKNOWN, "forskjell": UNKNOWN, "prosent": UNKNOWN, **texts}
    verb, noun = _words(earlier, later)
    change = percent_change(later, earlier)
    percent = UNKNOWN if change != change else format_number(abs(change), decimals=1)
    return {"verb": verb, "noun": noun, "forskjell": format_number(abs(later - earlier), decimals=decimals),
            "prosent": percent, **texts}


def _text(value: float | None, decimals: int = 0) -> str:
    return UNKNOWN if value is None else format_number(value, decimals=decimals)


def change_from_previous(table, *, year: int) -> str:
    """Table 2.1's published change from the previous year in words: "en økning på 2 prosent", "en nedgang
    på 1 prosent", "omtrent ingen endring" (0 after rounding); ``:`` when not published (first year)."""
    change = _published(table, "endring_prosent", aar=year)
    if change is None:
        return UNKNOWN
    if change == 0:
        return "omtrent ingen endring"
    noun = "en økning" if change > 0 else "en nedgang"
    return f"{noun} på {format_number(abs(change))} prosent"


def change_range(table, *, maal: str = "endring_prosent") -> str:
    """The smallest and largest published yearly change of a series: "mellom -1 og 3 prosent"."""
    values = table.publisert.loc[lambda f: f["maal"].eq(maal), "verdi"].dropna()
    if values.empty:
        return UNKNOWN
    low, high = format_number(values.min()), format_number(values.max())
    return f"{low} prosent" if low == high else f"mellom {low} og {high} prosent"


def ranked_groups(table, maal: str, dimension: str, **fixed: object) -> list[str]:
    """The codes of ``dimension`` (margin left out) by published value, largest first; ties keep publication
    order; suppressed cells are left out. ``fixed`` gives the other dimensions."""
    published = table.publisert
    cells = published[published["maal"].eq(maal) & published[dimension].astype(str).ne(MARGIN)]
    for name, code in fixed.items():
        cells = cells[cells[name].astype(str).eq(str(code))]
    cells = cells.dropna(subset=["verdi"])
    order = {code: rank for rank, code in enumerate(sort_codes(dimension, cells[dimension].astype(str)))}
    ranked = sorted(cells[[dimension, "verdi"]].itertuples(index=False),
                    key=lambda row: (-row[1], order[str(row[0])]))
    return [str(row[0]) for row in ranked]


def first_year(table) -> int:
    """The first year (``aar``) of a time series table, e.g. for "fra {first} til {year}"."""
    return int(table.publisert["aar"].min())


def extremes(table, maal: str, dimension: str, **fixed: object) -> dict[str, str]:
    """The largest and smallest published ``maal`` across the codes of ``dimension`` (margin left out):
    ``{"storst": name, "storst_verdi": text, "minst": name, "minst_verdi": text}`` (``:`` when none is shown)."""
    ranked = ranked_groups(table, maal, dimension, **fixed)
    if not ranked:
        return {"storst": UNKNOWN, "storst_verdi": UNKNOWN, "minst": UNKNOWN, "minst_verdi": UNKNOWN}
    largest, smallest = ranked[0], ranked[-1]
    return {"storst": group_name(dimension, largest), "storst_verdi": table.text(maal, **{dimension: largest}, **fixed),
            "minst": group_name(dimension, smallest), "minst_verdi": table.text(maal, **{dimension: smallest}, **fixed)}


def age_trend(table, maal: str, **fixed: object) -> str:
    """Whether a published measure rises with age across the age groups: "øker med alderen" when every group
    is at least as high as the one before, else "varierer med alderen"."""
    values = [_published(table, maal, aldersgruppe=code, **fixed) for code in sort_codes(
        "aldersgruppe", table.publisert["aldersgruppe"].astype(str)) if code != MARGIN]
    if any(value is None for value in values):
        return "varierer med alderen"
    rising = all(b >= a for a, b in zip(values, values[1:]))
    return "øker med alderen" if rising else "varierer med alderen"


def larger_sex(table, maal: str, **dims: object) -> str:
    """"kvinner" or "menn": the sex with the larger published value at ``dims``; "like mange" when equal."""
    women, men = _published(table, maal, kjonn="K", **dims), _published(table, maal, kjonn="M", **dims)
    if women is None or men is None:
        return UNKNOWN
    return "like mange" if women == men else _SEX_WORDS["K" if women > men else "M"]


def sex_majority_groups(table, maal: str, sex: str) -> list[str]:
    """The age groups (publication order, total left out) where ``sex`` (``K``/``M``) has the larger published
    value of ``maal`` than the other sex (e.g. a larger share of the population, table 2.2.1)."""
    other = "M" if sex == "K" else "K"
    groups = [code for code in sort_codes("aldersgruppe", table.publisert["aldersgruppe"].astype(str))
              if code != MARGIN]
    chosen = []
    for code in groups:
        mine, theirs = _published(table, maal, aldersgruppe=code, kjonn=sex), _published(
            table, maal, aldersgruppe=code, kjonn=other)
        if mine is not None and theirs is not None and mine > theirs:
            chosen.append(code)
    return chosen


def sex_majority_phrase(table, maal: str, sex: str) -> str:
    """Where ``sex`` has the larger published value, in words: "i alle aldersgrupper", "i alle aldersgrupper
    unntatt 0-17 år", "i aldersgruppene 18-49 år og 80-89 år", "i aldersgruppen 90 år og over" or "i ingen
    aldersgrupper"."""
    groups = [code for code in sort_codes("aldersgruppe", table.publisert["aldersgruppe"].astype(str))
              if code != MARGIN]
    chosen = sex_majority_groups(table, maal, sex)
    others = [code for code in groups if code not in chosen]
    if not chosen:
        return "i ingen aldersgrupper"
    if not others:
        return "i alle aldersgrupper"
    if len(others) < len(chosen):
        return "i alle aldersgrupper unntatt " + group_names("aldersgruppe", others)
    word = "aldersgruppen " if len(chosen) == 1 else "aldersgruppene "
    return "i " + word + group_names("aldersgruppe", chosen)


def sex_difference(table, maal: str = "antall", **dims: object) -> str:
    """The rough size (:func:`about`) of the difference between women's and men's published ``maal``."""
    women, men = _published(table, maal, kjonn="K", **dims), _published(table, maal, kjonn="M", **dims)
    return UNKNOWN if women is None or men is None else about(abs(women - men))


def sex_gaps(table, maal: str) -> dict[str, str]:
    """The age groups with the largest and smallest gap between women's and men's published ``maal`` (in
    percentage points): ``{"storst": "90 år og over", "storst_pp": "46", "minst": ..., "minst_pp": ...}``."""
    gaps = {}
    for code in sort_codes("aldersgruppe", table.publisert["aldersgruppe"].astype(str)):
        women, men = _published(table, maal, aldersgruppe=code, kjonn="K"), _published(
            table, maal, aldersgruppe=code, kjonn="M")
        if code != MARGIN and women is not None and men is not None:
            gaps[code] = abs(women - men)
    if not gaps:
        return {"storst": UNKNOWN, "storst_pp": UNKNOWN, "minst": UNKNOWN, "minst_pp": UNKNOWN}
    largest, smallest = max(gaps, key=gaps.get), min(gaps, key=gaps.get)
    decimals = table.decimals.get(maal, 0)
    return {"storst": group_name("aldersgruppe", largest),
            "storst_pp": format_number(gaps[largest], decimals=decimals),
            "minst": group_name("aldersgruppe", smallest),
            "minst_pp": format_number(gaps[smallest], decimals=decimals)}
