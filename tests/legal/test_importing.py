"""Importing national instruments: CSV and text split into articles, bad input by line, nothing partial."""

from __future__ import annotations

import pytest

from cyberplan.core.choices import Role
from cyberplan.core.models import AuditEntry
from cyberplan.legal.actions import do_import_instrument_text, do_import_instruments_csv
from cyberplan.legal.choices import LegalStatus
from cyberplan.legal.models import Instrument, InstrumentArticle
from cyberplan.legal.parsing import LegalImportError, split_articles
from tests.conftest import World

from .conftest import PENAL_CODE_CSV, TODAY

HEADER = "kind,number,title,date,official_url,status,status_date,amended_by,article,heading,text,article_status\n"


def test_a_csv_creates_instruments_articles_and_the_amendment_link(world: World, instruments: list[Instrument]) -> None:
    code = Instrument.objects.get(number="1160/97")
    assert code.status == LegalStatus.AMENDED
    assert code.amended_by is not None and code.amended_by.number == "4439"
    assert list(code.articles.values_list("number", flat=True)) == ["174 b", "175", "146 b"]
    assert AuditEntry.objects.filter(object_repr__contains="1160/97").exists()


def test_importing_the_same_csv_again_changes_nothing(world: World, instruments: list[Instrument]) -> None:
    entries = AuditEntry.objects.count()
    result = do_import_instruments_csv(
        world.users[Role.ANALYST], world.org_a, "PY", PENAL_CODE_CSV.encode(), today=TODAY
    )
    assert (result.created, result.updated, result.unchanged, result.articles_created) == (0, 0, 2, 0)
    assert AuditEntry.objects.count() == entries
    assert InstrumentArticle.objects.count() == 3


def test_a_changed_article_is_updated_in_place(world: World, instruments: list[Instrument]) -> None:
    changed = PENAL_CODE_CSV.replace("El que obstaculizare...", "El que obstaculizare gravemente...")
    result = do_import_instruments_csv(world.users[Role.ANALYST], world.org_a, "PY", changed.encode(), today=TODAY)
    assert (result.updated, result.articles_updated) == (1, 1)
    assert InstrumentArticle.objects.get(number="175").text == "El que obstaculizare gravemente..."


def test_bad_rows_are_named_by_line_and_nothing_is_written(world: World) -> None:
    bad = HEADER + (
        "law,100,Ley buena,2010-01-01,,in_force,,,1,,Texto,\n"  # line 2: fine
        "law,101,Ley futura,2030-01-01,,in_force,,,1,,Texto,\n"  # line 3: in the future
        "law,102,Ley derogada,2015-05-05,,repealed,2014-01-01,,,,,\n"  # line 4: repealed before enacted
        "law,100,Ley buena,2010-01-01,,in_force,,,1,,Otra vez,\n"  # line 5: article 1 twice
        "law,100,Ley buena,2010-01-01,,in_force,,,primero,,Texto,\n"  # line 6: not an article number
        "statute,103,Otra,2010-01-01,,in_force,,,,,,\n"  # line 7: unknown kind
        "law,104,Otra,2010-01-01,,in_force,,law 999,,,,\n"  # line 8: unknown amending instrument
    )
    with pytest.raises(LegalImportError) as caught:
        do_import_instruments_csv(world.users[Role.ANALYST], world.org_a, "PY", bad.encode(), today=TODAY)
    messages = [str(p) for p in caught.value.problems]
    assert messages == [
        "Line 3: date 2030-01-01 is in the future.",
        "Line 4: The instrument is repealed on 2014-01-01, before it was enacted on 2015-05-05.",
        "Line 5: Article 1 appears twice (first on line 2).",
        "Line 6: 'primero' is not an article number.",
        "Line 7: kind 'statute' is unknown (expected one of: law, decree, regulation, code, other).",
        "Line 8: The amending instrument law 999 is neither in this file nor recorded.",
    ]
    assert not Instrument.objects.exists()
    assert not InstrumentArticle.objects.exists()


def test_missing_columns_are_named(world: World) -> None:
    with pytest.raises(LegalImportError) as caught:
        do_import_instruments_csv(world.users[Role.ANALYST], world.org_a, "PY", b"kind,number\nlaw,1\n", today=TODAY)
    assert [str(p) for p in caught.value.problems] == ["Line 1: Missing columns: date, title."]


def test_a_file_over_the_limit_is_refused(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    settings.CYBERPLAN_MAX_UPLOAD_BYTES = 1024 * 1024
    with pytest.raises(LegalImportError) as caught:
        do_import_instruments_csv(
            world.users[Role.ANALYST], world.org_a, "PY", HEADER.encode() + b"x" * (1024 * 1024 + 1), today=TODAY
        )
    assert "larger than 1 MB" in str(caught.value)
    assert not Instrument.objects.exists()


# The en dash after "146 b." is how the Penal Code writes it.
LAW_TEXT = """LEY N° 4439
EL CONGRESO DE LA NACIÓN PARAGUAYA SANCIONA CON FUERZA DE LEY:

Artículo 1°.- Modifícase el artículo 146 del Código Penal.
Artículo 146 b.\u2013 Acceso indebido a datos.
El que accediere a datos no destinados a él...
Art. 4° Sabotaje.
ARTÍCULO 5.- Comuníquese al Poder Ejecutivo.
"""

FIELDS = {"kind": "law", "number": "4439", "title": "Ley de delitos informáticos", "date": "2011-07-29"}


def test_a_text_is_split_at_its_article_headings() -> None:
    articles, preamble = split_articles(LAW_TEXT)
    assert [(a.number, a.line) for a in articles] == [("1", 4), ("146 b", 5), ("4", 7), ("5", 8)]
    assert articles[1].text == "Acceso indebido a datos.\nEl que accediere a datos no destinados a él..."
    assert preamble == 2


def test_a_pasted_text_is_imported_once(world: World) -> None:
    analyst = world.users[Role.ANALYST]
    first = do_import_instrument_text(analyst, world.org_a, "PY", FIELDS, LAW_TEXT.encode(), today=TODAY)
    again = do_import_instrument_text(analyst, world.org_a, "PY", FIELDS, LAW_TEXT.encode(), today=TODAY)
    assert (first.created, first.articles_created, first.preamble_lines) == (1, 4, 2)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    assert InstrumentArticle.objects.count() == 4


def test_a_text_with_a_repeated_article_names_both_lines(world: World) -> None:
    text = "Artículo 1.- Uno.\nArtículo 2.- Dos.\nARTÍCULO 1.- Otra vez uno.\n"
    with pytest.raises(LegalImportError) as caught:
        do_import_instrument_text(world.users[Role.ANALYST], world.org_a, "PY", FIELDS, text.encode(), today=TODAY)
    assert [str(p) for p in caught.value.problems] == ["Line 3: Article 1 appears twice (first on line 1)."]
    assert not Instrument.objects.exists()


def test_a_future_date_in_the_form_is_refused(world: World) -> None:
    fields = {**FIELDS, "date": "2027-01-01"}
    with pytest.raises(LegalImportError) as caught:
        do_import_instrument_text(world.users[Role.ANALYST], world.org_a, "PY", fields, LAW_TEXT.encode(), today=TODAY)
    assert [str(p) for p in caught.value.problems] == ["date 2027-01-01 is in the future."]
