"""The crosswalk page speaks the reader's language: parts, factors and stages by name, no internal codes."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from django.test import Client
from django.urls import reverse

from cyberplan.assessment.crosswalk import DEFAULT_CROSSWALKS, CrosswalkError, load_crosswalks
from cyberplan.assessment.framework import load_framework
from cyberplan.assessment.models import Assessment, Framework
from tests.assessment.support import write
from tests.conftest import World


def _visible_text(html: str) -> str:
    body = html.split("<main", 1)[-1]
    return re.sub(r"<[^>]+>", " ", body)


def _page(world: World, assessment: Assessment, language: str) -> str:
    client = Client()
    client.force_login(world.users["coordinator"])
    client.cookies["cyberplan_language"] = language
    response = client.get(reverse("assessment:assessment_crosswalk", args=[assessment.pk]))
    assert response.status_code == 200
    return _visible_text(response.content.decode())


def test_the_crosswalk_reads_in_spanish(
    world: World, shipped: Framework, make_assessment: Callable[..., Assessment]
) -> None:
    assessment = make_assessment()
    structure = shipped.structure()
    text = _page(world, assessment, "es")
    assert "Medidas jurídicas" in text and "Cooperación internacional" in text
    assert "Índice Mundial de Ciberseguridad 2024" in text
    assert structure.factor("1.1").name.es in text
    # no target identifier and no bare stage number stands in for a name
    for code in ("gci-2024", "capacity-development", "enisa-ncaf-2020", "fight-against-cybercrime"):
        assert code not in text
    assert not re.search(r":\s*\d\s", text)


def test_the_crosswalk_reads_in_english(
    world: World, shipped: Framework, make_assessment: Callable[..., Assessment]
) -> None:
    text = _page(world, make_assessment(), "en")
    assert "Capacity Development" in text and "ITU Global Cybersecurity Index 2024" in text
    assert shipped.structure().factor("1.1").name.en in text


def test_the_crosswalk_file_must_name_every_part_in_both_languages(tmp_path: Path) -> None:
    doc = yaml.safe_load(DEFAULT_CROSSWALKS.read_text(encoding="utf-8"))
    del doc["frameworks"][0]["targets"][1]["name_es"]
    del doc["frameworks"][2]["targets"][0]["group_es"]
    del doc["frameworks"][1]["title_es"]
    with pytest.raises(CrosswalkError) as caught:
        load_crosswalks(load_framework(), write(tmp_path, doc, "crosswalks.yaml"))
    problems = [str(p) for p in caught.value.problems]
    assert "frameworks[0].targets[1].name_es: missing" in problems
    assert "frameworks[2].targets[0].group_es: a group is given in both languages or in neither" in problems
    assert "frameworks[1].title_es: missing" in problems
