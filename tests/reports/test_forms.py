"""The request forms of the reports keep their fields in reading order, with the shared language and format."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from cyberplan.reports.forms import ReportFileForm, last_quarter
from cyberplan.strategy.report.forms import StrategyReportForm
from cyberplan.trends.report.forms import ReportRequestForm


@pytest.mark.django_db
def test_each_request_form_places_the_language_and_format_among_its_own_fields() -> None:
    trends = ReportRequestForm(stores=[])
    assert list(trends.fields) == ["organisation", "period", "language", "format", "tlp"]
    strategy = StrategyReportForm(versions=[], owner=True)
    assert list(strategy.fields) == ["kind", "version", "period", "currency", "language", "format"]
    assert isinstance(trends, ReportFileForm) and isinstance(strategy, ReportFileForm)


def test_the_language_offered_first_is_the_readers_and_the_period_the_last_complete_quarter() -> None:
    with translation.override("es"):
        assert ReportFileForm().fields["language"].initial == "es"
    assert ReportFileForm(data={"language": "en", "format": "odt"}).errors == {
        "format": ["Select a valid choice. odt is not one of the available choices."]
    }
    assert last_quarter(dt.date(2026, 11, 7)) == "2026-Q3"
    assert last_quarter(dt.date(2026, 2, 1)) == "2025-Q4"
