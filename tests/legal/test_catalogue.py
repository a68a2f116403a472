"""The treaty catalogue: complete, in both languages, reservation provisions marked, bad files named by path."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from cyberplan.legal.catalogue import DEFAULT_CATALOGUE, CatalogueError, load_catalogue, shipped_catalogue


def test_the_convention_has_48_articles_in_four_chapters() -> None:
    convention = shipped_catalogue().treaty("ets-185")
    assert [a.number for a in convention.articles] == [str(n) for n in range(1, 49)]
    assert [c.id for c in convention.chapters] == ["I", "II", "III", "IV"]
    groups = {a.number: a.group for a in convention.articles}
    assert groups["1"] == "I"
    assert {groups[str(n)] for n in range(2, 14)} == {"II.1"}
    assert {groups[str(n)] for n in range(14, 22)} == {"II.2"}
    assert groups["22"] == "II.3"
    assert {groups[str(n)] for n in range(23, 36)} <= {"III.1", "III.2"}
    assert {groups[str(n)] for n in range(36, 49)} == {"IV"}
    assert convention.opened.isoformat() == "2001-11-23"
    assert convention.in_force is not None and convention.in_force.isoformat() == "2004-07-01"
    assert shipped_catalogue().article("ets-185:35").title.en == "24/7 Network"


def test_the_protocols_are_present() -> None:
    catalogue = shipped_catalogue()
    assert [t.id for t in catalogue.treaties] == ["ets-185", "ets-189", "cets-224"]
    assert len(catalogue.treaty("ets-189").articles) == 16
    assert len(catalogue.treaty("cets-224").articles) == 25
    assert "genocide" in catalogue.article("ets-189:6").title.en
    assert catalogue.article("cets-224:6").title.en == "Request for domain name registration information"


def test_every_text_is_in_both_languages_and_every_article_says_what_it_asks() -> None:
    for article in shipped_catalogue().articles():
        for text in (article.title, article.summary):
            assert text.en.strip() and text.es.strip(), article.key
        assert article.asks in {"criminalise", "empower", "cooperate", "clause"}
        assert article.basis in {"verified", "background"}


def test_the_provisions_allowing_reservations_or_declarations_are_marked() -> None:
    catalogue = shipped_catalogue()
    marked = {a.number for a in catalogue.treaty("ets-185").articles if a.allows_reservation_or_declaration}
    assert {"4", "6", "9", "10", "11", "14", "22", "29", "40", "41", "42"} <= marked
    assert catalogue.article("ets-185:4").reservations == ("4.2",)
    assert catalogue.article("ets-185:6").reservations == ("6.3",)
    assert catalogue.article("ets-185:22").reservations == ("22.2",)
    assert not catalogue.article("ets-185:5").allows_reservation_or_declaration


def _broken(tmp_path: Path, change: object) -> Path:
    document = yaml.safe_load(DEFAULT_CATALOGUE.read_text(encoding="utf-8"))
    change(document)  # type: ignore[operator]  # a test's edit of the parsed document
    target = tmp_path / "broken.yaml"
    target.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return target


def test_a_broken_catalogue_names_every_problem_by_path(tmp_path: Path) -> None:
    def change(doc: dict) -> None:  # type: ignore[type-arg]
        articles = doc["treaties"][0]["articles"]
        del articles[4]["title"]["es"]  # article 5 without its Spanish title
        articles[6]["chapter"] = "IX"  # article 7 in an unknown chapter
        articles[7]["number"] = "2"  # article 8 numbered 2 again
        articles[8]["asks"] = "legislate"

    with pytest.raises(CatalogueError) as caught:
        load_catalogue(_broken(tmp_path, change))
    message = str(caught.value)
    assert "treaties[0].articles[4].title: 'es' is a required property" in message
    assert "treaties[0].articles[8].asks" in message
    assert "broken.yaml" in message


def test_the_loader_checks_what_the_schema_cannot(tmp_path: Path) -> None:
    def change(doc: dict) -> None:  # type: ignore[type-arg]
        articles = doc["treaties"][0]["articles"]
        articles[6]["chapter"] = "IX"
        articles[7]["number"] = "2"
        articles[3]["reservations"] = ["5.2"]

    with pytest.raises(CatalogueError) as caught:
        load_catalogue(_broken(tmp_path, change))
    problems = {str(p) for p in caught.value.problems}
    assert "treaties[0].articles[6].chapter: unknown chapter 'IX' (declared: I, II, III, IV)" in problems
    assert "treaties[0].articles[7].number: article 2 appears twice (first at articles[1])" in problems
    assert "treaties[0].articles[3].reservations[0]: '5.2' is not a paragraph of article 4" in problems
