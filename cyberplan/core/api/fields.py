"""Typed helpers for serializers whose fields are set up per request."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from rest_framework import serializers
from rest_framework.relations import RelatedField


def limit_related(serializer: serializers.Serializer[Any], name: str, queryset: QuerySet[Any]) -> None:
    """Accept in the related field ``name`` only the records of ``queryset`` (those the caller may use)."""
    field = serializer.fields[name]
    if not isinstance(field, RelatedField):
        raise TypeError(f"{type(serializer).__name__}.{name} is not a related field")
    # The stubs declare the attribute as a queryset or a manager, and mypy takes the manager for a descriptor.
    field.queryset = queryset  # type: ignore[arg-type]  # see above


def set_choices(serializer: serializers.Serializer[Any], name: str, choices: Iterable[Any]) -> None:
    """Give the choice field ``name`` choices known only when the serializer is built."""
    field = serializer.fields[name]
    if not isinstance(field, serializers.ChoiceField):
        raise TypeError(f"{type(serializer).__name__}.{name} is not a choice field")
    field.choices = choices
