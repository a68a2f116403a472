"""The STIX 2.1 pattern check without the ANTLR parser for the simple patterns nearly every indicator uses.

stix2 (the object model) and stix2-validator (its MUST checks) each check an indicator's pattern with
``stix2patterns``, whose ANTLR parser is slow in Python, and the validator parses the pattern a second time
to inspect it: three parses per indicator, most of the time of validating it. This module recognises a
strict subset of the pattern grammar by hand:

    pattern     := observation ( " AND " | " OR " ) observation ...
    observation := "[" comparison ( " AND " | " OR " ) comparison ... "]"
    comparison  := type ":" property ( "." key )* ( "=" | "!=" ) string

where ``type`` is a letter or underscore followed by letters, digits, ``_`` or ``-``; ``property`` and an
unquoted ``key`` the same without ``-``; a ``key`` may also be a quoted string; none of them may be a word of
the grammar (``AND``, ``OR``, ``NOT``, ``LIKE``, ``true`` ... in any case); ``string`` is a quoted string
whose only escapes are ``\\'`` and ``\\\\``; tokens are separated by spaces only (no tabs, newlines or
comments). For such a pattern the result is worked out here: no errors, unless the library's own check of
hash values (``object_validator.verify_object``, run on the comparisons found here) objects. Anything else,
including every pattern with an error, goes to the library's full parser, so its verdict and its messages
are the library's. ``tests/pipeline/test_stix_pattern_check.py`` compares both on generated patterns.

Most patterns are read by one compiled regular expression (:func:`_read_compiled`), which accepts a part of
that subset (tokens of a comparison written together, ``AND`` and ``OR`` between spaces) and gives the same
result as the reader of tokens; what it does not accept goes to the reader of tokens, then to the library.

The results are also kept for the few patterns checked last, so the second check of the same pattern (by
the validator after the object model) costs a look-up.
"""

from __future__ import annotations

import functools
import re
from typing import Any, NamedTuple

KEYWORDS = frozenset(
    {
        "AND",
        "OR",
        "NOT",
        "FOLLOWEDBY",
        "LIKE",
        "MATCHES",
        "ISSUPERSET",
        "ISSUBSET",
        "EXISTS",
        "LAST",
        "IN",
        "START",
        "STOP",
        "SECONDS",
        "TRUE",
        "FALSE",
        "WITHIN",
        "REPEATS",
        "TIMES",
    }
)

_TOKEN = re.compile(
    r"(?P<space> +)"
    r"|(?P<string>'(?:[^'\\]|\\['\\])*')"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_-]*)"
    r"|(?P<op>!=|[=\[\]:.])"
)
_PLAIN_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

# The compiled reader: the same words and strings as ``_TOKEN``, in the shape of the subset, with the spaces
# it allows (none inside a comparison's path, any around its operator, at least one around AND and OR
# inside an observation). A pattern it does not match goes to the reader of tokens.
_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_STRING = r"'[^'\\]*(?:\\['\\][^'\\]*)*'"  # the string of ``_TOKEN``, written to match in one pass
_COMPARISON = rf"([A-Za-z_][A-Za-z0-9_-]*):({_NAME}(?:\.(?:{_NAME}|{_STRING}))*) *(!=|=) *({_STRING})"
_OBSERVATION = rf"\[ *{_COMPARISON}(?: +(?:AND|OR) +{_COMPARISON})* *\]"
_ONE_COMPARISON = re.compile(rf" *\[ *{_COMPARISON} *\] *")
_SHAPE = re.compile(rf" *{_OBSERVATION}(?: *(?:AND|OR) *{_OBSERVATION})* *")
# Over a pattern of that shape: each comparison, and each AND or OR between two observations, in order. A
# string is consumed with its comparison, so nothing inside one is read as a separator.
_PARTS = re.compile(rf"{_COMPARISON}|\] *(AND|OR) *\[")
_PATH_STEP = re.compile(rf"\.(?:({_NAME})|({_STRING}))")


class PatternData(NamedTuple):
    """What ``stix2patterns``' inspector reports of a pattern (the same fields, the same shapes)."""

    comparisons: dict[str, list[tuple[list[Any], str, str]]]
    observation_ops: set[str]
    qualifiers: set[str]


class _OutsideSubsetError(Exception):
    """The pattern is outside the subset this module reads: the full parser decides."""


def _tokens(pattern: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    position = 0
    while position < len(pattern):
        match = _TOKEN.match(pattern, position)
        if match is None:
            raise _OutsideSubsetError
        kind = match.lastgroup or ""
        if kind != "space":
            found.append((kind, match.group()))
        position = match.end()
    return found


def _unquote(literal: str) -> str:
    return literal[1:-1].replace("\\'", "'").replace("\\\\", "\\")


class _Reader:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.at = 0
        self.comparisons: dict[str, list[tuple[list[Any], str, str]]] = {}
        self.observation_ops: set[str] = set()

    def take(self, kind: str, text: str | None = None) -> str:
        if self.at >= len(self.tokens):
            raise _OutsideSubsetError
        found_kind, found_text = self.tokens[self.at]
        if found_kind != kind or (text is not None and found_text != text):
            raise _OutsideSubsetError
        self.at += 1
        return found_text

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def word(self, *, hyphen: bool) -> str:
        text = self.take("word")
        if text.upper() in KEYWORDS or (not hyphen and not _PLAIN_WORD.fullmatch(text)):
            raise _OutsideSubsetError
        return text

    def comparison(self) -> None:
        kind = self.word(hyphen=True)
        self.take("op", ":")
        path: list[Any] = [self.word(hyphen=False)]
        while self.peek() == ("op", "."):
            self.at += 1
            step = self.peek()
            path.append(_unquote(self.take("string")) if step and step[0] == "string" else self.word(hyphen=False))
        operator = self.take("op")
        if operator not in ("=", "!="):
            raise _OutsideSubsetError
        value = self.take("string")
        self.comparisons.setdefault(kind, []).append((path, operator, value))

    def observation(self) -> None:
        self.take("op", "[")
        self.comparison()
        while self.peek() in (("word", "AND"), ("word", "OR")):
            self.at += 1
            self.comparison()
        self.take("op", "]")

    def pattern(self) -> PatternData:
        self.observation()
        while self.peek() in (("word", "AND"), ("word", "OR")):
            self.observation_ops.add(self.tokens[self.at][1])
            self.at += 1
            self.observation()
        if self.at != len(self.tokens):
            raise _OutsideSubsetError
        return PatternData(self.comparisons, self.observation_ops, set())


def _path(prop: str, steps: str) -> list[Any] | None:
    """A comparison's path, its property then each key (a quoted key unquoted), or None when a word of it is
    a word of the grammar."""
    if prop.upper() in KEYWORDS:
        return None
    path: list[Any] = [prop]
    if steps:
        for key, quoted in _PATH_STEP.findall(steps):
            if key:
                if key.upper() in KEYWORDS:
                    return None
                path.append(key)
            else:
                path.append(_unquote(quoted))
    return path


def _read_compiled(pattern: str) -> PatternData | None:
    """What the reader of tokens gives for ``pattern`` when it has the shape of the compiled expressions
    (else None: the reader of tokens decides). The same words are refused: a keyword as a type, property or
    key sends the pattern on."""
    match = _ONE_COMPARISON.fullmatch(pattern)
    if match is not None:
        kind, path_text, operator, value = match.groups()
        prop, dot, steps = path_text.partition(".")
        path = _path(prop, dot + steps)
        if path is None or kind.upper() in KEYWORDS:
            return None
        return PatternData({kind: [(path, operator, value)]}, set(), set())
    if _SHAPE.fullmatch(pattern) is None:
        return None
    comparisons: dict[str, list[tuple[list[Any], str, str]]] = {}
    observation_ops: set[str] = set()
    for kind, path_text, operator, value, between in _PARTS.findall(pattern):
        if between:
            observation_ops.add(between)
            continue
        prop, dot, steps = path_text.partition(".")
        path = _path(prop, dot + steps)
        if path is None or kind.upper() in KEYWORDS:
            return None
        comparisons.setdefault(kind, []).append((path, operator, value))
    return PatternData(comparisons, observation_ops, set())


def _read(pattern: str) -> PatternData | None:
    """The pattern read by the compiled expressions, else by the reader of tokens; None outside the subset."""
    data = _read_compiled(pattern)
    if data is not None:
        return data
    try:
        return _Reader(_tokens(pattern)).pattern()
    except _OutsideSubsetError:
        return None


def _hash_problems(data: PatternData) -> list[str]:
    """The library's own check of the hash values compared (``object_validator.verify_object``)."""
    from stix2patterns.v21 import object_validator

    problems: list[str] = object_validator.verify_object(data)
    return problems


def read_simple(pattern: str) -> PatternData | None:
    """The inspection of ``pattern`` when it is in the simple subset and the library finds nothing wrong in
    it, else None (the full parser must decide)."""
    data = _read(pattern)
    if data is None:
        return None
    if _has_hashes(data) and _hash_problems(data):
        return None  # a hash value the library refuses: its own run gives the message
    return data


def _has_hashes(data: PatternData) -> bool:
    """Whether the library's hash check can find anything: it looks only at paths naming ``hashes``."""
    for found in data.comparisons.values():
        for path, _operator, _value in found:
            if "hashes" in path:
                return True
    return False


@functools.lru_cache(maxsize=256)
def _checked(pattern: str, version: str) -> tuple[tuple[str, ...], PatternData | None]:
    from stix2patterns.validator import run_validator

    if version == "2.1":
        data = read_simple(pattern)
        if data is not None:
            return (), data
    return tuple(run_validator(pattern, version)), None


def run_validator(pattern: Any, stix_version: str = "2.1") -> list[str]:
    """``stix2patterns.validator.run_validator``: the grammar's errors for the pattern (none when valid)."""
    if not isinstance(pattern, str) or not isinstance(stix_version, str):
        from stix2patterns.validator import run_validator as library_run

        return list(library_run(pattern, stix_version))
    return list(_checked(pattern, stix_version)[0])


class Pattern:
    """``stix2patterns.v21.pattern.Pattern`` as stix2-validator uses it: parse, then ``inspect()``."""

    def __init__(self, pattern_str: str) -> None:
        data = _checked(pattern_str, "2.1")[1] if isinstance(pattern_str, str) else None
        if data is None:
            from stix2patterns.v21.pattern import Pattern as LibraryPattern

            data = LibraryPattern(pattern_str).inspect()
        self._data = data

    def inspect(self) -> Any:
        return self._data


def install() -> None:
    """Make stix2 and stix2-validator check patterns through this module (once per process)."""
    import stix2.v21.sdo
    import stix2patterns.validator as patterns_library
    import stix2validator.v21.musts as musts

    if getattr(patterns_library, "_cyberplan_fast_patterns", False):
        return
    stix2.v21.sdo.run_validator = run_validator
    musts.pattern_validator = run_validator
    musts.Pattern = Pattern
    patterns_library._cyberplan_fast_patterns = True
