"""The legal alignment pages: mapping a provision changes the coverage shown, imports name bad lines, comparison."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cyberplan.core.choices import Role
from cyberplan.legal.models import Instrument, InstrumentArticle, Review
from tests.conftest import World


def _client(world: World, role: str = Role.ANALYST) -> Client:
    client = Client()
    client.force_login(world.users[role])
    return client


def _full_share(body: str, treaty: str = "ets-185") -> str:
    match = re.search(rf'data-testid="full-share-{treaty}">([^<]*)<', body)
    assert match is not None
    return match.group(1).strip()


def test_mapping_an_article_changes_the_coverage_shown(
    world: World, make_review: Callable[..., Review], instruments: list[Instrument]
) -> None:
    review = make_review(title="Review <b>2026</b>")
    client = _client(world)
    detail = reverse("legal:review_detail", args=[review.pk])
    page = client.get(detail).content.decode()
    assert _full_share(page) == "0 %"
    assert "Review &lt;b&gt;2026&lt;/b&gt;" in page  # user text escaped
    article = InstrumentArticle.objects.get(number="174 b")
    form = client.get(reverse("legal:finding_edit", args=[review.pk, "ets-185:2"])).content.decode()
    assert "Illegal access" in form and "174 b" in form
    response = client.post(
        reverse("legal:finding_edit", args=[review.pk, "ets-185:2"]),
        {"coverage": "full", "reasoning": "Art. 174 b <script>", "national_articles": [article.pk]},
    )
    assert response.status_code == 302
    page = client.get(detail).content.decode()
    assert _full_share(page) == "2 %"  # 1 of 48 applicable provisions
    assert "Art. 174 b &lt;script&gt;" in page
    assert "Code 1160/97, art. 174 b" in page
    assert "Code 1160/97, art. 174 b: Amended. Check this mapping." in page  # the Penal Code is recorded as amended


def test_a_bad_csv_on_the_page_names_its_lines_and_imports_nothing(world: World) -> None:
    csv_text = (
        "kind,number,title,date,article\nlaw,1,Ley,2010-01-01,1\nlaw,1,Ley,2010-01-01,1\nlaw,2,Ley futura,2999-01-01,\n"
    )
    response = _client(world).post(
        reverse("legal:instrument_import"),
        {
            "mode": "csv",
            "csv-organisation": world.org_a.pk,
            "csv-country": "PY",
            "csv-file": SimpleUploadedFile("laws.csv", csv_text.encode(), "text/csv"),
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Line 3: Article 1 appears twice (first on line 2)." in body
    assert "Line 4: date 2999-01-01 is in the future." in body
    assert not Instrument.objects.exists()


def test_a_pasted_text_is_imported_from_the_page(world: World) -> None:
    response = _client(world).post(
        reverse("legal:instrument_import"),
        {
            "mode": "text",
            "text-organisation": world.org_a.pk,
            "text-country": "PY",
            "text-kind": "law",
            "text-number": "4439",
            "text-title": "Ley 4439",
            "text-date": "2011-07-29",
            "text-status": "in_force",
            "text-text": "SANCIONA:\nArtículo 1°.- Uno.\nArt. 2° Dos.\n",
        },
    )
    assert response.status_code == 302
    assert list(InstrumentArticle.objects.values_list("number", flat=True)) == ["1", "2"]


def test_the_compare_page_lists_changed_provisions(world: World, make_review: Callable[..., Review]) -> None:
    first = make_review(title="First")
    second = make_review(title="Second")
    client = _client(world)
    client.post(reverse("legal:finding_edit", args=[second.pk, "ets-185:16"]), {"coverage": "partial"})
    body = client.get(reverse("legal:review_compare", args=[second.pk]) + f"?with={first.pk}").content.decode()
    assert "ets-185:16" in body and "Expedited preservation of stored computer data" in body
    assert "ets-185:17" not in body


def test_the_catalogue_and_status_pages_render_in_spanish(world: World) -> None:
    client = _client(world, Role.VIEWER)
    body = client.get(reverse("legal:catalogue"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Acceso ilícito" in body and "Red 24/7" in body
    english = client.get(reverse("legal:catalogue"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<td>Criminalise</td>" in english and "<td>criminalise</td>" not in english
    assert client.get(reverse("legal:treaty_status")).status_code == 200
