"""Load a whole strategy structure from a CSV or YAML file, e.g. an existing plan typed into a spreadsheet.

The file is read and checked completely before anything is written: every problem is collected
with the file, the place (CSV line, or YAML item path and line), the field and the reason. If
there is any problem nothing is written. Otherwise the rows are applied through ``actions.py``
(so every write is validated and audited) in one transaction, matching what exists by code:

* principles by their number (``code``), axes, objectives, action lines and actions by code,
  KPIs by their name under their action;
* a value left empty keeps what is stored; the import adds and updates, it never deletes
  (elements, actions, KPIs and gap links missing from the file stay as they are).

Running the same import twice therefore gives the same strategy. The formats are described in
docs/how-to/strategy-import.md.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cyberplan.core.models import Organisation, User

from .. import actions
from ..models import Strategy
from .checks import Checker, strategy_values
from .reading import read_rows
from .rows import (
    ACTION,
    AXIS,
    ELEMENT_KINDS,
    KPI_KIND,
    LINE,
    OBJECTIVE,
    PRINCIPLE,
    STRATEGY_KEYS,
    ImportFileError,
    ImportResult,
    Problem,
    file_place,
)
from .writing import Applier


def import_structure(
    actor: User | None,
    data: bytes,
    filename: str,
    *,
    strategy: Strategy | None = None,
    organisation: Organisation | None = None,
    create: dict[str, Any] | None = None,
    dry_run: bool = False,
    skip_missing_gaps: bool = False,
) -> ImportResult:
    """Check ``data`` (a CSV or YAML structure file) and, if nothing is wrong, apply it.

    Give ``strategy`` to import into an existing strategy, or ``organisation`` and ``create`` (values
    for ``do_create_strategy``, completed by the file's ``strategy`` block) to create one. With
    ``dry_run`` the file is only checked. ``skip_missing_gaps`` turns a gap missing from the register
    into a note instead of a problem (used by the demo). The caller checks permissions.
    """
    name = PurePath(filename).name
    result = ImportResult(file=name, strategy=strategy)
    if strategy is None and (organisation is None or create is None):
        raise ValueError("give a strategy, or an organisation and the values to create one")
    owner = strategy.organisation if strategy is not None else organisation
    assert owner is not None  # noqa: S101 -- narrowed by the check above
    try:
        rows, problems, block = read_rows(data, name)
    except ImportFileError as error:
        result.problems.append(Problem(file_place(), "", str(error), file=name))
        return result
    result.rows = len(rows)
    create_values: dict[str, Any] = {}
    if strategy is None:
        create_values, block_problems = strategy_values(block)
        create_values.update({k: v for k, v in (create or {}).items() if v not in (None, "")})
        problems += block_problems
    elif block:
        result.notes.append(_("The strategy block of the file is used only when the import creates the strategy."))
    checker = Checker(rows, owner, strategy, skip_missing_gaps=skip_missing_gaps)
    planned = checker.check()
    result.problems = [*problems, *checker.problems]
    result.notes += checker.notes
    if strategy is None and not result.problems:
        result.problems += _new_strategy_problems(owner, create_values)
    for problem in result.problems:
        problem.file = name
    if result.problems or dry_run:
        return result
    try:
        with transaction.atomic():
            if strategy is None:
                strategy = actions.do_create_strategy(actor, owner, **create_values)
                result.strategy = strategy
            applier = Applier(actor, strategy, result)
            order = {PRINCIPLE: 0, AXIS: 1, OBJECTIVE: 2, LINE: 3, ACTION: 4, KPI_KIND: 5}
            for item in sorted(planned, key=lambda p: order[p.kind]):
                try:
                    getattr(applier, "element" if item.kind in ELEMENT_KINDS else item.kind)(item)
                except ValidationError as error:
                    details = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
                    for field_name, messages in details.items():
                        result.problems.append(
                            Problem(item.row.where, field_name, " ".join(messages), file=name, rows=(item.row,))
                        )
            if result.problems:
                raise _RollBackError
    except _RollBackError:
        result.created.clear()
        result.updated.clear()
        result.unchanged.clear()
        if create is not None:
            result.strategy = None
        return result
    result.written = True
    return result


def _new_strategy_problems(owner: Organisation, create_values: dict[str, Any]) -> list[Problem]:
    """What is wrong with the values the import would create its strategy with (checked before any write)."""
    probe = Strategy(organisation=owner, **{k: v for k, v in create_values.items() if k in STRATEGY_KEYS})
    unknown = set(create_values) - STRATEGY_KEYS
    if unknown:
        raise ValueError(f"not strategy fields: {sorted(unknown)}")
    problems: list[Problem] = []
    try:
        if not (probe.title_en.strip() or probe.title_es.strip()):
            raise ValidationError({"title_en": _("Give a title in English, in Spanish, or in both.")})
        probe.full_clean(exclude=["organisation"])
    except ValidationError as error:
        for field_name, messages in error.message_dict.items():
            problems.append(Problem("strategy", field_name, " ".join(messages)))
    return problems


class _RollBackError(Exception):
    """Raised inside the import's transaction to undo every write when applying a row failed."""
