"""Frameworks in the database: the shipped model after migrate, the load command, version conflicts."""

from __future__ import annotations

import copy
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from cyberplan.assessment import framework as fw
from cyberplan.assessment.loading import FrameworkConflictError, load_framework_file
from cyberplan.assessment.models import Framework
from cyberplan.core.models import AuditEntry
from tests.assessment.support import document


def _write(tmp_path: Path, doc: dict[str, object], name: str = "model.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def test_shipped_model_is_loaded_after_migrate(shipped: Framework) -> None:
    structure = shipped.structure()
    assert structure.key == "cyberplan-ncm@2026.2"
    assert len(list(structure.factors())) == 23
    assert len(list(structure.indicators())) == 288
    assert shipped.scoring == structure.scoring
    assert structure == fw.load_framework()


@pytest.mark.slow
def test_loading_again_is_idempotent(shipped: Framework) -> None:
    record, created = load_framework_file(fw.DEFAULT_FRAMEWORK)
    assert (record.pk, created) == (shipped.pk, False)
    assert Framework.objects.count() == len(fw.SHIPPED_FRAMEWORKS)


def test_command_loads_a_new_version_and_refuses_changed_content(db: None, tmp_path: Path) -> None:
    out = StringIO()
    path = _write(tmp_path, document())
    call_command("assessment", "load-framework", str(path), stdout=out)
    assert "Loaded framework test-model@1." in out.getvalue()
    record = Framework.objects.get(framework_id="test-model", version="1")
    assert AuditEntry.objects.filter(object_id=str(record.pk), content_type__model="framework").count() == 1

    out = StringIO()
    call_command("assessment", "load-framework", str(path), stdout=out)
    assert "already loaded with the same content" in out.getvalue()

    changed = copy.deepcopy(document())
    changed["title"] = {"en": "Changed", "es": "Cambiado"}
    with pytest.raises(CommandError, match=r"test-model@1 is already loaded with different content"):
        call_command("assessment", "load-framework", str(_write(tmp_path, changed, "changed.yaml")))
    with pytest.raises(FrameworkConflictError):
        load_framework_file(_write(tmp_path, changed, "changed2.yaml"))

    changed["version"] = "2"
    call_command("assessment", "load-framework", str(_write(tmp_path, changed, "v2.yaml")), stdout=StringIO())
    assert Framework.objects.get(framework_id="test-model", version="1").title_en == "Test model"
    assert Framework.objects.get(framework_id="test-model", version="2").title_en == "Changed"


def test_command_reports_every_problem_of_a_broken_file(db: None, tmp_path: Path) -> None:
    doc = document()
    del doc["stages"][4]  # type: ignore[attr-defined]
    with pytest.raises(CommandError) as info:
        call_command("assessment", "load-framework", str(_write(tmp_path, doc)))
    assert "framework file" in str(info.value)
    assert "stages" in str(info.value)
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: [unclosed\n", encoding="utf-8")
    with pytest.raises(CommandError, match="malformed YAML"):
        call_command("assessment", "load-framework", str(bad))
    assert not Framework.objects.filter(framework_id="test-model").exists()


def test_assessments_keep_the_version_they_were_made_on(world, shipped, make_assessment, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    doc = document()
    record, _created = load_framework_file(_write(tmp_path, doc))
    from cyberplan.assessment.actions import do_create_assessment

    assessment = do_create_assessment(
        None, world.org_a, record, title="Small", country="PY", date="2026-01-01", method="desk_research"
    )
    assert assessment.answers.count() == 30  # 3 factors x 5 stages x 2 indicators
    assert assessment.factors.count() == 3
    doc2 = copy.deepcopy(doc)
    doc2["version"] = "2"
    doc2["dimensions"][0]["factors"].pop()  # type: ignore[index]
    load_framework_file(_write(tmp_path, doc2, "v2.yaml"))
    assessment.refresh_from_db()
    assert len(list(assessment.framework.structure().factors())) == 3
