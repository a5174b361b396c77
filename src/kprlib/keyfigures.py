"""The key-figure panel of the front page as cards (seed 003, SSB "nøkkeltal": figure, 1- and 4-year change).

Every number on a card is the text of a cell of the published table ``nokkeltall``
(:func:`kprlib.builders.counties.table_nokkeltall`), so a suppressed figure shows its symbol and never a number
(D5); the table itself is rendered beside the cards and audited with the site (D6).
"""

from __future__ import annotations

import html

from kprlib.builders.counties import KEY_FIGURES, SHARE_80
from kprlib.table import PublishedTable

__all__ = ["CARD_CSS", "key_figure_cards", "signed"]

#: Style of the cards (a grid that wraps on narrow screens); scoped to ``.kpr-nokkeltall``.
CARD_CSS = """\
<style>
.kpr-nokkeltall { display: grid; grid-template-columns: repeat(auto-fill, minmax(14em, 1fr)); gap: 0.8em;
  margin: 1em 0; }
.kpr-kort { border: 1px solid #c8c8c8; border-top: 4px solid #0072B2; border-radius: 4px; padding: 0.6em 0.8em; }
.kpr-kort h3 { font-size: 0.9em; font-weight: normal; margin: 0 0 0.3em 0; min-height: 2.6em; }
.kpr-kort .kpr-verdi { font-size: 1.9em; font-weight: bold; font-variant-numeric: tabular-nums; margin: 0; }
.kpr-kort dl { display: grid; grid-template-columns: auto auto; gap: 0 0.6em; font-size: 0.85em; margin: 0.3em 0 0 0; }
.kpr-kort dt { color: #555; }
.kpr-kort dd { margin: 0; text-align: right; font-variant-numeric: tabular-nums; }
</style>
"""


def signed(table: PublishedTable, maal: str, **cell: object) -> str:
    """A change as the card shows it: the published text with ``+`` before a positive value and ``%`` after a
    number (``"+2,2 %"``, ``"-1,1 %"``, ``"0,0 %"``); a symbol (``:``, ``..``) as it is (D4, D5)."""
    text = table.text(maal, **cell)
    value = table.value(maal, **cell)
    if value is None:
        return text
    return ("+" if value > 0 else "") + text + "\u00a0%"


def key_figure_cards(table: PublishedTable, *, year: int) -> str:
    """HTML cards of the panel for ``year``: one per row of ``table`` (seed 003 order), with the figure (a
    count, or for the 80+ row a share in per cent), the change from ``year - 1`` and from ``year - 4``."""
    present = set(table.publisert["nokkeltall"])
    cards = [_card(table, code, label, year=year) for code, (label, _) in KEY_FIGURES.items() if code in present]
    return CARD_CSS + '<div class="kpr-nokkeltall">\n' + "\n".join(cards) + "\n</div>"


def _card(table: PublishedTable, code: str, label: str, *, year: int) -> str:
    cell = {"aar": year, "nokkeltall": code}
    if code == SHARE_80:
        value = table.text("andel_befolkning", **cell)
        unit = "" if table.value("andel_befolkning", **cell) is None else "\u00a0%"
        figure = f'<p class="kpr-verdi">{_escape(value + unit)}</p>'
    else:
        figure = f'<p class="kpr-verdi">{_escape(table.text("antall", **cell))}</p>'
    changes = (f"<dt>Endring {year - 1}-{year}</dt><dd>{_escape(signed(table, 'endring_prosent', **cell))}</dd>"
               f"<dt>Endring {year - 4}-{year}</dt><dd>{_escape(signed(table, 'endring_4aar_prosent', **cell))}</dd>")
    return f'<div class="kpr-kort"><h3>{_escape(label)}</h3>{figure}<dl>{changes}</dl></div>'


def _escape(text: object) -> str:
    return html.escape(str(text), quote=True)
