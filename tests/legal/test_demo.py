"""The demo's illustrative legal alignment review of Paraguay: labelled, approved, with gaps, built once."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.urls import reverse

from cyberplan.core.models import AuditEntry, User
from cyberplan.gaps.choices import GapSource
from cyberplan.gaps.models import Gap
from cyberplan.legal.choices import Coverage, ReviewState, StatusBasis
from cyberplan.legal.demo import build_demo_legal_for_workspace
from cyberplan.legal.models import Instrument, Review, TreatyStatus
from cyberplan.workspace.demo import build_demo_workspace


def counts() -> tuple[int, int, int, int]:
    return (
        Review.objects.count(),
        Instrument.objects.count(),
        Gap.objects.filter(source=GapSource.LEGAL).count(),
        AuditEntry.objects.count(),
    )


def test_built_twice_without_duplicates_labelled_and_with_its_gaps(db: None) -> None:
    build_demo_workspace()
    review = build_demo_legal_for_workspace()
    first = counts()
    again = build_demo_legal_for_workspace()
    assert again.pk == review.pk and counts() == first
    assert "Illustrative" in review.title and review.illustrative and review.state == ReviewState.APPROVED
    assert not review.provisions.filter(illustrative=False).exists()
    finding = review.provisions.get(provision="ets-185:2")
    assert finding.coverage == Coverage.FULL
    assert [str(a) for a in finding.national_articles.all()] == ["Code 1160/97, art. 174 b"]
    gaps = Gap.objects.filter(source=GapSource.LEGAL, organisation=review.organisation)
    assert gaps.filter(source_key="PY:ets-185:12").exists()  # no corporate liability found: a gap
    assert not gaps.filter(source_key="PY:ets-185:2").exists()
    from_review = gaps.filter(source_key__startswith="PY:ets-").count()
    assert from_review == review.provisions.filter(coverage__in=[Coverage.NONE, Coverage.PARTIAL]).count()


def test_treaty_status_from_public_facts(db: None) -> None:
    build_demo_workspace()
    build_demo_legal_for_workspace()
    cets = TreatyStatus.objects.get(country="PY", treaty="cets-224")
    assert cets.signed == dt.date(2024, 9, 24) and cets.basis == StatusBasis.VERIFIED
    assert TreatyStatus.objects.get(country="BR", treaty="ets-185").in_force == dt.date(2023, 3, 1)
    assert TreatyStatus.objects.get(country="PE", treaty="ets-185").basis == StatusBasis.ILLUSTRATIVE
    assert Instrument.objects.get(number="5994").date == dt.date(2017, 12, 15)


def test_the_demo_pages_render(db: None) -> None:
    build_demo_workspace()
    review = build_demo_legal_for_workspace()
    client = Client()
    client.force_login(User.objects.get(username="demo-viewer"))
    status = client.get(reverse("legal:treaty_status")).content.decode()
    assert "Brazil" in status and "Illustrative" in status and "verdragen.nl" in status
    detail = client.get(reverse("legal:review_detail", args=[review.pk])).content.decode()
    assert "Code 1160/97, art. 174 b" in detail and "Illustrative" in detail
    instruments = client.get(reverse("legal:instrument_list")).content.decode()
    assert "Law 5994" in instruments


def test_the_demo_texts_read_in_each_readers_language(db: None) -> None:
    """The review's title, its reasoning and the articles' descriptions are kept in both languages."""
    build_demo_workspace()
    review = build_demo_legal_for_workspace()
    client = Client()
    client.force_login(User.objects.get(username="demo-viewer"))
    detail = reverse("legal:review_detail", args=[review.pk])
    spanish = client.get(detail, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Revisión ilustrativa de la alineación legal del Paraguay" in spanish
    assert "Ilustrativo. El acceso ilícito a un sistema es delito." in spanish
    assert "Illegal access to a system is an offence." not in spanish
    english = client.get(detail, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Illustrative. Illegal access to a system is an offence." in english
    assert "Revisión ilustrativa" not in english
    code = Instrument.objects.get(organisation=review.organisation, number="1160/97")
    article_page = client.get(reverse("legal:instrument_detail", args=[code.pk]), HTTP_ACCEPT_LANGUAGE="es")
    assert (
        "Descripción ilustrativa: acceder a un sistema informático sin autorización." in article_page.content.decode()
    )
