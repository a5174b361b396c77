"""Norwegian number formatting for tables and text (locale ``nb_NO``, with Babel).

Thousands are separated by a non-breaking space (U+00A0) and decimals by a comma, as in the seed reports:
``364666 -> "364 666"``, ``6.8 -> "6,8"``. Numbers are first rounded half up by
:func:`kprlib.rounding.quantize_half_up` (Babel's own rounding is half to even, so it never sees a tie).
A symbol (D4: ``:``, ``..``, ``.``) or any other text passed in place of a number comes back unchanged.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from numbers import Real

import numpy as np
import pandas as pd
from babel.numbers import format_decimal

from kprlib.rounding import quantize_half_up

__all__ = ["LOCALE", "NBSP", "format_number", "format_percent", "parse_number"]

#: The book's locale (bokmål, Norway).
LOCALE = "nb_NO"
#: The thousands separator of ``nb_NO``.
NBSP = "\u00a0"
#: Characters a Norwegian-formatted number may use as a thousands separator (NBSP, narrow NBSP, space).
_GROUP_CHARACTERS = (NBSP, "\u202f", " ")
_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")


def format_number(value: Real | Decimal | str | None, *, decimals: int = 0) -> str:
    """Format a number the Norwegian way, rounded half up to ``decimals`` places.

    Parameters
    ----------
    value
        A number; or a string (a D4 symbol such as ``":"`` or ``".."``, or a text such as ``"under 10"``),
        returned unchanged.
    decimals
        Fixed number of decimal places shown (trailing zeros kept: ``6.80`` with 2 decimals is ``"6,80"``).

    Returns
    -------
    str
        ``"364 666"`` (with U+00A0), ``"6,8"``, ``"-3"``.

    Raises
    ------
    ValueError
        For a missing value (None, NaN): a missing figure needs a D4 symbol, not an empty string.
    """
    if isinstance(value, str):
        return value
    if value is None or value is pd.NA or (isinstance(value, (float, np.floating)) and math.isnan(value)):
        raise ValueError("a missing value has no number format; give it a symbol (D4: ':', '..' or '.')")
    rounded = quantize_half_up(value, decimals)
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(rounded, format=pattern, locale=LOCALE, decimal_quantization=True)


def format_percent(value: Real | Decimal | str | None, *, decimals: int = 0, sign: bool = False) -> str:
    """Format a value that is already in per cent (``6.8`` means 6,8 prosent) with a fixed number of decimals.

    Parameters
    ----------
    value
        The percentage (0-100 scale), or a symbol/text returned unchanged.
    decimals
        Decimal places shown.
    sign
        Append a non-breaking space and ``%`` (``"6,8 %"``), as Norwegian orthography writes it. Tables whose
        column header already says "prosent" leave it off, as the seeds do.
    """
    if isinstance(value, str):
        return value
    text = format_number(value, decimals=decimals)
    return f"{text}{NBSP}%" if sign else text


def parse_number(text: str) -> float | None:
    """Read a Norwegian-formatted number back (``"1 234,5" -> 1234.5``); None when ``text`` is not a number.

    Used by the D6 site check to read numbers out of rendered table cells.
    """
    cleaned = text.strip()
    for character in _GROUP_CHARACTERS:
        cleaned = cleaned.replace(character, "")
    cleaned = cleaned.replace("\u2212", "-").replace(",", ".")
    if _NUMBER.fullmatch(cleaned) is None:
        return None
    return float(cleaned)
