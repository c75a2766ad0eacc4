"""A form's readings → the contract's records (performance_forms, performance_indicators).

The contract's conventions for indicators live here: a bare number target has
comparator ``=``; a 指标性质 column gives the comparator (``定性``: none), a
度量单位 column the unit; the name's trailing bracket is the unit before either;
a text target keeps comparator and value NULL.
"""

from __future__ import annotations

import re
from datetime import date

from fiscaldoc.lexicon.text import collapse, key
from fiscaldoc.model.records import PerformanceForm, PerformanceIndicator
from fiscaldoc.normalizers.form_fields import FieldReading
from fiscaldoc.normalizers.form_grid import Reading
from fiscaldoc.normalizers.form_money import Funds
from fiscaldoc.normalizers.indicators import is_qualitative, nature_comparator, parse_target, split_name_unit
from fiscaldoc.normalizers.markup import paragraphs

_YEAR = re.compile(r"((?:19|20)\d{2})")
_DATE = re.compile(
    r"((?:19|20)\d{2})\s*(?:[-/.年]\s*(\d{1,2})\s*(?:[-/.月]\s*(\d{1,2})\s*日?)?|(\d{2})(\d{2}))"
)
_CODE = re.compile(r"^\s*[\[［【(（]\s*\d+\s*[\]］】)）]\s*|^\s*\d{3,}\s*[-—－:：、]?\s*(?=\D)")


def indicator(
    reading: Reading, form_id: str, line_no: int, level1: str, level2: str | None
) -> PerformanceIndicator:
    name = reading.get("level3")
    target_text = reading.get("target")
    nature = reading.get("nature")
    unit_cell = reading.get("unit")
    level3, unit = split_name_unit(name) if name else (None, None)
    target = parse_target(target_text) if target_text else None
    comparator = target.comparator if target else None
    value = target.value if target else None
    if nature and is_qualitative(nature):
        comparator = value = None
    elif nature and (symbol := nature_comparator(nature)) is not None and value is not None:
        comparator = symbol
    if unit is None and unit_cell and not is_qualitative(unit_cell):
        unit = collapse(unit_cell)
    if unit is None and target is not None and value is not None:
        unit = target.unit
    return PerformanceIndicator(
        form_id=form_id,
        line_no=line_no,
        level1=level1,
        level2=level2,
        level3=level3 or None,
        unit=unit,
        comparator=comparator,
        target_value=value,
        target_text=target_text,
        page=reading.page,
    )


def parse_date(text: str) -> date | None:
    """``2024-01-01``, ``2024年1月1日``, ``2024/1/1``, ``2024.01.01``, ``20240101``."""
    match = _DATE.search(key(text))
    if not match:
        return None
    year = int(match.group(1))
    month = match.group(2) or match.group(4)
    day = match.group(3) or match.group(5)
    if month is None or day is None:
        return None
    try:
        return date(year, int(month), int(day))
    except ValueError:
        return None


def department(text: str) -> str:
    """``[360]自然资源部`` → ``自然资源部``: the code the MoF template prints before the name."""
    return _CODE.sub("", collapse(text)).strip()


def build_form(
    form_id: str,
    document_id: str,
    title: str | None,
    fields: FieldReading,
    funds: Funds,
    pages: list[int],
    engine: str | None,
) -> PerformanceForm:
    def value(name: str) -> str | None:
        entry = fields.first(name)
        return collapse(entry.value) if entry else None

    start_text, end_text = value("start_date"), value("end_date")
    start = parse_date(start_text) if start_text else None
    end = parse_date(end_text) if end_text else None
    years = [int(y) for y in _YEAR.findall(value("period") or "")]
    start_year = start.year if start else (years[0] if years else _year(start_text))
    end_year = end.year if end else (years[-1] if years else _year(end_text))
    texts = {name: paragraphs(text) or None for name, text in fields.texts.items()}
    overall, annual_goal = texts.get("overall_goal"), texts.get("annual_goal")
    if overall is None and annual_goal is not None:
        overall, annual_goal = annual_goal, None  # 年度总体目标 alone is the form's goal
    dept = value("department")
    return PerformanceForm(
        form_id=form_id,
        document_id=document_id,
        project_name=value("project_name") or "",
        project_type=value("project_type"),
        project_level=value("project_level"),
        department=department(dept) if dept else None,
        start_year=start_year,
        end_year=end_year,
        total_amount_yuan=funds.total,
        annual_amount_yuan=funds.annual,
        basis=texts.get("basis"),
        overview=texts.get("overview"),
        overall_goal=overall,
        page_start=min(pages) if pages else None,
        page_end=max(pages) if pages else None,
        engine=engine,
        form_title=title,
        project_nature=value("project_nature"),
        project_category=value("project_category"),
        implementing_unit=value("implementing_unit"),
        start_date=start,
        end_date=end,
        fiscal_funds_yuan=funds.fiscal,
        other_funds_yuan=funds.other,
        current_grant_yuan=funds.current_grant,
        carryover_yuan=funds.carryover,
        annual_goal=annual_goal,
        annual_other_funds_yuan=funds.annual_other,
    )


def _year(text: str | None) -> int | None:
    found = _YEAR.findall(text or "")
    return int(found[0]) if found else None
