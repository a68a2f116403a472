"""The shipped topic catalogue loads, links to real Convention articles, and a broken file names its problems."""

from __future__ import annotations

from pathlib import Path

import pytest

from cyberplan.training.catalogue import TopicCatalogueError, load_topics, shipped_topics


def test_shipped_catalogue_has_bilingual_topics_linked_to_the_convention() -> None:
    topics = shipped_topics()
    evidence = topics.topic("electronic-evidence")
    assert evidence.title.get("en") == "Electronic evidence"
    assert evidence.title.get("es") == "Evidencia electrónica"
    assert evidence.provisions == tuple(f"ets-185:{n}" for n in range(14, 22))
    assert {"cybercrime-investigation", "international-cooperation", "incident-handling", "awareness"} <= set(
        topics.keys()
    )
    assert all(t.title.es and t.description.es for t in topics.topics)


def test_a_broken_catalogue_names_every_problem_by_path(tmp_path: Path) -> None:
    file = tmp_path / "topics.yaml"
    file.write_text(
        """catalogue: t
version: "1"
topics:
  - key: a
    title: {en: A, es: A}
    description: {en: A, es: A}
    provisions: [ets-185:999]
  - key: a
    title: {en: B, es: B}
    description: {en: B, es: B}
""",
        encoding="utf-8",
    )
    with pytest.raises(TopicCatalogueError) as caught:
        load_topics(file)
    text = str(caught.value)
    assert "topics[0].provisions[0]: 'ets-185:999' is not in the treaty catalogue" in text
    assert "topics[1].key: topic 'a' appears twice" in text


def test_a_catalogue_without_spanish_fails_the_schema(tmp_path: Path) -> None:
    file = tmp_path / "topics.yaml"
    file.write_text(
        'catalogue: t\nversion: "1"\ntopics:\n  - key: a\n    title: {en: A}\n    description: {en: A, es: A}\n',
        encoding="utf-8",
    )
    with pytest.raises(TopicCatalogueError, match=r"topics\[0\]\.title: 'es' is a required property"):
        load_topics(file)
