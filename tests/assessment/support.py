"""Small framework documents for the assessment tests, built in code and written to a temporary file."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

STAGES: list[dict[str, Any]] = [
    {"ordinal": 1, "code": "S", "name": {"en": "Start-up", "es": "Inicial"}},
    {"ordinal": 2, "code": "F", "name": {"en": "Formative", "es": "Formativa"}},
    {"ordinal": 3, "code": "E", "name": {"en": "Established", "es": "Establecida"}},
    {"ordinal": 4, "code": "ST", "name": {"en": "Strategic", "es": "Estratégica"}},
    {"ordinal": 5, "code": "D", "name": {"en": "Dynamic", "es": "Dinámica"}},
]
CODES: list[str] = [str(s["code"]) for s in STAGES]


def indicator(factor: str, code: str, number: int, kinds: list[str] | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": f"{factor}.{code}{number}",
        "stage": code,
        "text": {"en": f"Indicator {factor} {code}{number}.", "es": f"Indicador {factor} {code}{number}."},
        "evidence": {"en": "A published decree.", "es": "Un decreto publicado."},
    }
    if kinds is not None:
        item["evidence_kinds"] = kinds
    return item


def factor(factor_id: str, per_stage: int = 2) -> dict[str, Any]:
    return {
        "id": factor_id,
        "name": {"en": f"Factor {factor_id}", "es": f"Factor {factor_id}"},
        "indicators": [indicator(factor_id, code, n) for code in CODES for n in range(1, per_stage + 1)],
    }


def document(per_stage: int = 2, scoring: str = "all-indicators-cumulative") -> dict[str, Any]:
    """A valid framework: dimension D1 with factors 1.1 and 1.2, dimension D2 with factor 2.1."""
    return {
        "id": "test-model",
        "version": "1",
        "title": {"en": "Test model", "es": "Modelo de prueba"},
        "source_note": {"en": "Written for the tests.", "es": "Escrito para las pruebas."},
        "scoring": scoring,
        "stages": copy.deepcopy(STAGES),
        "dimensions": [
            {
                "id": "D1",
                "name": {"en": "One", "es": "Uno"},
                "factors": [factor("1.1", per_stage), factor("1.2", per_stage)],
            },
            {"id": "D2", "name": {"en": "Two", "es": "Dos"}, "factors": [factor("2.1", per_stage)]},
        ],
    }


def write(tmp_path: Path, doc: Any, name: str = "model.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path
