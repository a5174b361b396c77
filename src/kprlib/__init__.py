"""kprlib: definitions, tables and figures of the book *Kommunale helse- og omsorgstjenester* (KPR).

The public API is flat: chapters call ``kprlib.<function>``.
"""

from kprlib.ages import AGE_GROUPS, age_group, age_group_67, sex_code
from kprlib.codes import (
    SERVICE_CODES,
    SERVICE_GROUPS,
    is_valid_code,
    recode_service,
    service_code_table,
    service_group,
    service_name,
    service_overview,
    valid_codes,
)
from kprlib.config import Config, load_config
from kprlib.extract import Extract, ExtractError, Problem, read_extract, validate_extract
from kprlib.geography import counties, county_of, municipalities
from kprlib.published import load_published
from kprlib.rounding import round_half_up
from kprlib.formatting import format_number, format_percent
from kprlib.disclosure import Derived, suppress
from kprlib.audit import assert_protected, scan_site
from kprlib.table import PublishedTable
from kprlib.export import export_tables
from kprlib.person_year import compute_years
from kprlib.yeardata import YearData, load_year
from kprlib.builders import build_tables, compute_context
from kprlib.keyfigures import key_figure_cards
from kprlib.quality_report import quality_report
from kprlib.figures import age_bars, category_series, county_shares, service_bars, sex_age_pyramid, time_series


def show_table(data: YearData, number: str) -> "object":
    """Published table ``number`` of the prepared year ``data`` as the page shows it: the protected table with
    its caption, notes and symbol notes, then links to its CSV and the year's XLSX (SPEC section 6)."""
    from IPython.display import HTML

    from kprlib.site import table_html

    return HTML(table_html(data.table(number), year=data.year))


def service_table_html(year: int) -> "object":
    """Table 1.1 (services, groups and categories for ``year``) as HTML for a chapter."""
    from IPython.display import HTML

    from kprlib.catalogue import catalogue_entry

    table = service_overview(year).to_html(index=False, classes="kpr-tabell", border=0)
    caption = f"<caption>Tabell 1.1 {catalogue_entry('1.1').title_for(year)}</caption>"
    table = table.replace(">", ">" + caption, 1)
    return HTML(table + '<p class="kpr-kilde">Kilde: Helsedirektoratet (2019, 2022), FHI (2024)</p>')


__all__ = [
    "Derived", "PublishedTable", "YearData", "age_bars", "assert_protected", "build_tables", "category_series",
    "compute_context", "compute_years", "key_figure_cards", "quality_report",
    "county_shares", "export_tables", "format_number", "format_percent", "load_year", "round_half_up",
    "scan_site", "service_bars", "show_table", "sex_age_pyramid", "suppress", "time_series",
    "AGE_GROUPS", "Config", "Extract", "ExtractError", "Problem", "SERVICE_CODES", "SERVICE_GROUPS",
    "age_group", "age_group_67", "counties", "county_of", "is_valid_code", "load_config", "load_published",
    "municipalities", "read_extract", "recode_service", "service_code_table", "service_group", "service_name",
    "service_overview", "service_table_html", "sex_code", "valid_codes", "validate_extract",
]
