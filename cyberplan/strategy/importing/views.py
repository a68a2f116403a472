"""The structure import page: upload a CSV or YAML file, see every problem or what was written."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy

from cyberplan.core.access import Permission
from cyberplan.core.models import User

from ..access import access_strategy_by_id
from .forms import StructureImportForm
from .importer import import_structure
from .rows import ALL_COLUMNS, KINDS, ImportResult


@login_required
def structure_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Members who may edit the plan upload a structure file into the strategy's working copy."""
    user = cast(User, request.user)
    strategy = access_strategy_by_id(user, pk, Permission.EDIT)
    form = StructureImportForm(request.POST or None, request.FILES or None)
    result: ImportResult | None = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            result = import_structure(
                user,
                upload.read(),
                upload.name or "structure",
                strategy=strategy,
                dry_run=form.cleaned_data["check_only"],
            )
            status = 400 if result.problems else 200
        else:
            status = 400
    return render(
        request,
        "strategy/import/upload.html",
        {
            "strategy": strategy,
            "form": form,
            "result": result,
            "kinds": KINDS,
            "columns": ALL_COLUMNS,
            "counts": _counts(result) if result is not None and not result.problems else [],
        },
        status=status,
    )


# What each kind of row is called on the page (the file itself uses the English keywords).
KIND_NAMES = {
    "principle": gettext_lazy("Principles"),
    "axis": gettext_lazy("Axes"),
    "objective": gettext_lazy("Objectives"),
    "line": gettext_lazy("Action lines"),
    "action": gettext_lazy("Actions"),
    "kpi": gettext_lazy("KPIs"),
}


def _counts(result: ImportResult) -> list[tuple[str, int, int, int]]:
    return [
        (str(KIND_NAMES.get(kind, kind)), result.created[kind], result.updated[kind], result.unchanged[kind])
        for kind in KINDS
        if result.created[kind] or result.updated[kind] or result.unchanged[kind]
    ]
