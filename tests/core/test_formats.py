"""Numbers and date-times as the product's readers write them: es-PY grouping, the time zone named."""

from __future__ import annotations

import datetime as dt

from django.template import Context, Template
from django.utils import timezone, translation


def render(source: str, **context: object) -> str:
    return Template("{% load humanize %}" + source).render(Context(context))


def test_spanish_groups_thousands_with_a_point_and_marks_decimals_with_a_comma() -> None:
    with translation.override("es"):
        assert render("{{ n }}", n=39910) == "39.910"
        assert render("{{ x }}", x=1234567.5) == "1.234.567,5"
    with translation.override("en"):
        assert render("{{ n }}", n=39910) == "39,910"


def test_date_times_name_their_time_zone_in_both_languages() -> None:
    moment = dt.datetime(2026, 11, 30, 15, 4, tzinfo=dt.UTC)
    zone = timezone.localtime(moment).strftime("%Z")
    assert zone  # the deployment's zone has an abbreviation or an offset
    with translation.override("es"):
        long = render('{{ t|date:"DATETIME_FORMAT" }}', t=moment)
        short = render('{{ t|date:"SHORT_DATETIME_FORMAT" }}', t=moment)
        assert "noviembre" in long and long.endswith(zone)
        assert short.startswith("30/11/2026") and short.endswith(zone)
    with translation.override("en"):
        assert render('{{ t|date:"DATETIME_FORMAT" }}', t=moment).endswith(zone)
