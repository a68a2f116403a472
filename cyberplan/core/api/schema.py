"""How the OpenAPI schema documents errors, so that the committed schema is a true contract.

``document_errors`` is a drf-spectacular post-processing hook (``SPECTACULAR_SETTINGS``). It adds to
every operation the error answers it can give, so a new endpoint documents them without listing them by
hand:

* 401 (no or unknown credentials), 403 (the caller's role does not allow it) and 429 (throttled), always;
* 400 (invalid input) when the operation takes a body or query parameters;
* 404 when it names a record in its path or takes query parameters (a page past the end, an organisation
  the caller is not a member of);
* 409 on ``PATCH`` and ``PUT`` (a stale ``version``, a locked or published record);
* 415 when it takes a body (in a format the operation does not accept).

An answer the operation already documents is left as it is. A view that answers 409 to a ``POST`` says
so itself: ``@extend_schema(responses={200: ..., 409: CONFLICT})``.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ConflictSerializer(serializers.Serializer[Any]):
    """The body of a 409 answer: the record changed since it was read, or it can no longer change."""

    detail = serializers.CharField()
    current = serializers.DictField(
        required=False, help_text="The record as it is now, when the conflict is a stale version."
    )


CONFLICT = OpenApiResponse(
    ConflictSerializer,
    description="The record changed since the caller read it (stale `version`), or it is locked or published.",
)

_ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string", "description": "What went wrong, in the request's language."}},
    "required": ["detail"],
}
_VALIDATION_ERROR = {
    "type": "object",
    "description": "Keys name the fields (or `detail`, `non_field_errors`); values list the messages.",
    "additionalProperties": {},
}
_CONFLICT = {
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "current": {
            "type": "object",
            "additionalProperties": {},
            "description": "The record as it is now, when the conflict is a stale version.",
        },
    },
    "required": ["detail"],
}

# Status code -> (name of the shared answer in components/responses, its description, its body's schema).
_ANSWERS: dict[str, tuple[str, str, str]] = {
    "400": ("InvalidInput", "Invalid input: the messages name the fields.", "ValidationError"),
    "401": ("Unauthenticated", "No credentials, or an unknown token.", "Error"),
    "403": ("Forbidden", "The caller's role does not allow this.", "Error"),
    "404": (
        "NotFound",
        "No such record the caller may read (others' records are not revealed), or a page past the end.",
        "Error",
    ),
    "409": (
        "Conflict",
        "The record changed since it was read (stale `version`), or it is locked or published.",
        "Conflict",
    ),
    "415": ("UnsupportedMediaType", "A body in a format this operation does not take.", "Error"),
    "429": ("Throttled", "Too many requests: wait the `Retry-After` seconds.", "Error"),
}


def default_errors(method: str, operation: dict[str, Any]) -> list[str]:
    """The error status codes an operation of ``method`` can answer, from what it takes."""
    parameters = operation.get("parameters", [])
    has_body = "requestBody" in operation or method in ("post", "put", "patch")
    has_path = any(parameter.get("in") == "path" for parameter in parameters)
    has_query = any(parameter.get("in") == "query" for parameter in parameters)
    codes = ["401", "403", "429"]
    if has_body or has_query:
        codes.append("400")
    if has_path or has_query:
        codes.append("404")
    if method in ("put", "patch"):
        codes.append("409")
    if has_body:
        codes.append("415")
    return sorted(codes)


def document_errors(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    components = result.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas.setdefault("Error", _ERROR)
    schemas.setdefault("ValidationError", _VALIDATION_ERROR)
    schemas.setdefault("Conflict", _CONFLICT)
    shared = components.setdefault("responses", {})
    for name, description, body in _ANSWERS.values():
        shared[name] = {
            "description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{body}"}}},
        }
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            responses = operation.setdefault("responses", {})
            for code in default_errors(method, operation):
                responses.setdefault(code, {"$ref": f"#/components/responses/{_ANSWERS[code][0]}"})
            operation["responses"] = dict(sorted(responses.items()))
    return result


class AnsweredChoiceField(serializers.ChoiceField):
    """A choice that is written as one of its values but reads as "" while nothing was chosen yet."""


class AnsweredChoiceFieldExtension(OpenApiSerializerFieldExtension):  # type: ignore[no-untyped-call]  # drf-spectacular's registry hook is untyped
    """In requests the field takes one of its values; in responses it may also be blank."""

    target_class = AnsweredChoiceField

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        values = list(self.target.choices)
        return {"type": "string", "enum": [*values, ""] if direction == "response" else values}
