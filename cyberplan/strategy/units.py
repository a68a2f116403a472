"""KPI values and their units: parse what people type, refuse a value in the wrong unit.

A value may carry its unit ("80%", "12 days", "48 h"); the unit must be the KPI's. Each unit
has its range: a percentage is 0 to 100, a maturity stage a whole number from 1 to 5, yes or no
is 1 or 0, counts are whole and nothing is negative.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .choices import KPIDirection, KPISource, KPIUnit
from .kpis import check_source_detail

# Words people type after a number, and the unit they mean.
_SUFFIXES: dict[str, str] = {
    "%": KPIUnit.PERCENT,
    "percent": KPIUnit.PERCENT,
    "pct": KPIUnit.PERCENT,
    "d": KPIUnit.DAYS,
    "day": KPIUnit.DAYS,
    "days": KPIUnit.DAYS,
    "dia": KPIUnit.DAYS,
    "dias": KPIUnit.DAYS,
    "día": KPIUnit.DAYS,
    "días": KPIUnit.DAYS,
    "h": KPIUnit.HOURS,
    "hour": KPIUnit.HOURS,
    "hours": KPIUnit.HOURS,
    "hora": KPIUnit.HOURS,
    "horas": KPIUnit.HOURS,
}
_VALUE = re.compile(r"^\s*(?P<number>[-+]?\d[\d_]*(?:[.,]\d+)?)\s*(?P<suffix>[^\d\s]*)\s*$")

# The unit each automatic source produces.
SOURCE_UNIT: dict[str, str] = {
    KPISource.TREND_METRIC: KPIUnit.COUNT,
    KPISource.ASSESSMENT_STAGE: KPIUnit.STAGE,
    KPISource.GAPS_CLOSED: KPIUnit.PERCENT,
    KPISource.ACTIONS_COMPLETED: KPIUnit.PERCENT,
    KPISource.LEGAL_COVERAGE: KPIUnit.PERCENT,
    KPISource.TRAINING_COVERAGE: KPIUnit.PERCENT,
}


def unit_label(unit: str) -> str:
    return str(KPIUnit(unit).label).lower() if unit in KPIUnit.values else unit


def check_value(unit: str, value: Any, field: str) -> Decimal:
    """``value`` as a number in ``unit``; ``ValidationError`` on ``field`` saying what is wrong."""
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, int | float | Decimal):
        text = str(value)
        number_text, suffix = text, ""
    else:
        text = str(value).strip()
        match = _VALUE.match(text)
        if match is None:
            raise ValidationError({field: _("%(value)r is not a number.") % {"value": text[:40]}})
        number_text, suffix = match.group("number").replace("_", "").replace(",", "."), match.group("suffix").lower()
    if suffix:
        meant = _SUFFIXES.get(suffix)
        if meant is None:
            raise ValidationError({field: _("Unknown unit %(suffix)r after the number.") % {"suffix": suffix[:20]}})
        if meant != unit:
            raise ValidationError(
                {
                    field: _("%(value)s is in %(given)s, but this KPI is measured in %(unit)s.")
                    % {"value": text[:40], "given": unit_label(meant), "unit": unit_label(unit)}
                }
            )
    try:
        number = Decimal(number_text)
    except InvalidOperation:
        raise ValidationError({field: _("%(value)r is not a number.") % {"value": text[:40]}}) from None
    if not number.is_finite():
        raise ValidationError({field: _("%(value)r is not a number.") % {"value": text[:40]}})
    if number < 0:
        raise ValidationError({field: _("A KPI value cannot be negative.")})
    if unit == KPIUnit.PERCENT and number > 100:
        raise ValidationError({field: _("A percentage is between 0 and 100.")})
    if unit == KPIUnit.STAGE and (number != number.to_integral_value() or not 1 <= number <= 5):
        raise ValidationError({field: _("A maturity stage is a whole number from 1 to 5.")})
    if unit == KPIUnit.YESNO and number not in (0, 1):
        raise ValidationError({field: _("Yes or no is given as 1 or 0.")})
    if unit == KPIUnit.COUNT and number != number.to_integral_value():
        raise ValidationError({field: _("A count is a whole number.")})
    if abs(number) >= Decimal(10) ** 12:
        raise ValidationError({field: _("The number is too large.")})
    return number


def check_kpi_values(kpi: Any) -> None:
    """Baseline and target in the KPI's unit, dates in order, an automatic source fitting the unit."""
    if kpi.unit not in KPIUnit.values:
        raise ValidationError({"unit": _("Choose the KPI's unit.")})
    errors: dict[str, Any] = {}
    for name in ("baseline", "target"):
        raw = getattr(kpi, name)
        if raw is None or raw == "":
            setattr(kpi, name, None)
            continue
        try:
            setattr(kpi, name, check_value(kpi.unit, raw, name))
        except ValidationError as error:
            errors.update(error.message_dict)
    if kpi.baseline_date and kpi.target_date and kpi.target_date < kpi.baseline_date:
        errors["target_date"] = [_("The target date comes before the baseline date.")]
    if not errors and kpi.baseline is not None and kpi.target is not None:
        if kpi.direction == KPIDirection.INCREASE and kpi.target < kpi.baseline:
            errors["target"] = [_("The target is below the baseline, but higher is better for this KPI.")]
        if kpi.direction == KPIDirection.DECREASE and kpi.target > kpi.baseline:
            errors["target"] = [_("The target is above the baseline, but lower is better for this KPI.")]
    wanted = SOURCE_UNIT.get(kpi.source)
    if wanted is not None and kpi.unit != wanted:
        errors["unit"] = [
            _("A KPI computed as %(source)s is measured in %(unit)s.")
            % {"source": str(KPISource(kpi.source).label).lower(), "unit": unit_label(wanted)}
        ]
    if kpi.source in (
        KPISource.TREND_METRIC,
        KPISource.ASSESSMENT_STAGE,
        KPISource.LEGAL_COVERAGE,
        KPISource.TRAINING_COVERAGE,
    ):
        problem = check_source_detail(kpi.source, kpi.source_detail)
        if problem:
            errors["source_detail"] = [problem]
    if errors:
        raise ValidationError(errors)
