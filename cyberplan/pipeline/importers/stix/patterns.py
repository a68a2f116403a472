"""Indicator patterns: the comparisons of each alternative of a STIX pattern."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Any

from .validation import RecordError
from .vocabulary import MAX_ALTERNATIVES


@dataclass(frozen=True)
class Comparison:
    path: str  # "ipv4-addr:value", "file:hashes.SHA-256", "network-traffic:protocols[*]"
    operator: str  # "=", "ISSUBSET", or another operator (kept as text)
    value: Any
    text: str


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def _constant(node: Any) -> Any:
    from stix2 import patterns

    if isinstance(node, patterns.StringConstant):
        return _unescape(str(node.value)) if not node.needs_to_be_quoted else str(node.value)
    return getattr(node, "value", None)


def _path_text(node: Any) -> str:
    from stix2 import patterns

    parts = []
    for component in node.property_path:
        if isinstance(component, patterns.ListObjectPathComponent):
            parts.append(f"{component.property_name}[{component.index}]")
        else:
            parts.append(str(component.property_name))
    return f"{node.object_type_name}:{'.'.join(parts)}"


def pattern_alternatives(pattern: str) -> tuple[list[list[Comparison]], list[str]]:
    """The pattern in disjunctive normal form: alternatives of comparisons, and the qualifiers met.

    Raises :class:`RecordError` (field ``pattern``) when the pattern does not parse or expands too much.
    """
    from stix2 import patterns
    from stix2.pattern_visitor import create_pattern_object

    try:
        tree = create_pattern_object(pattern, version="2.1")
    except Exception as exc:  # the ANTLR parser and the visitor raise various errors
        raise RecordError("pattern", f"the pattern is malformed: {str(exc) or type(exc).__name__}") from None
    qualifiers: list[str] = []

    def expand(node: Any) -> list[list[Comparison]]:
        if isinstance(node, patterns.ParentheticalExpression):
            return expand(node.expression)
        if isinstance(node, patterns.QualifiedObservationExpression):
            qualifiers.append(str(node.qualifier))
            return expand(node.observation_expression)
        if isinstance(node, patterns.ObservationExpression):
            return expand(node.operand)
        if isinstance(node, patterns.OrObservationExpression | patterns.OrBooleanExpression):
            result = [alternative for operand in node.operands for alternative in expand(operand)]
        elif isinstance(
            node,
            patterns.AndObservationExpression
            | patterns.AndBooleanExpression
            | patterns.FollowedByObservationExpression,
        ):
            result = [[]]
            for operand in node.operands:
                options = expand(operand)
                result = [left + right for left, right in itertools.product(result, options)]
                if len(result) > MAX_ALTERNATIVES:
                    break
        elif isinstance(node, patterns._ComparisonExpression):
            path = _path_text(node.lhs) if isinstance(node.lhs, patterns.ObjectPath) else str(node.lhs)
            operator = ("NOT " if node.negated else "") + str(node.operator)
            if isinstance(node, patterns.InComparisonExpression) and not node.negated:
                values = getattr(node.rhs, "value", [])
                result = [[Comparison(path, "=", _constant(v), f"{path} = {v}")] for v in values]
            else:
                result = [[Comparison(path, operator, _constant(node.rhs), str(node))]]
        else:
            raise RecordError("pattern", f"the pattern has a part cyberplan does not read: {node}")
        if len(result) > MAX_ALTERNATIVES:
            raise RecordError("pattern", f"the pattern expands to more than {MAX_ALTERNATIVES} alternatives")
        return result

    return expand(tree), qualifiers
