"""The fast STIX pattern check against the library's ANTLR parser: the same verdict and the same messages.

``pattern_check`` reads a strict subset of the pattern grammar by hand and hands everything else to
``stix2patterns``. These tests generate patterns, valid and invalid (quotes, escapes, bad types, bad
operators, unbalanced brackets, qualifiers, keywords, odd white space ...), and compare for each the
library's ``run_validator`` with the fast one, and for the valid ones the library's inspection (which
stix2-validator's MUST checks read) with the fast one. A last test validates whole indicators both ways,
each in a fresh interpreter, and compares what ``validate_object`` says of each.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from typing import Any

import pytest
from stix2patterns.v21.pattern import Pattern as LibraryPattern
from stix2patterns.validator import run_validator as library_run_validator

from cyberplan.pipeline.importers.stix import pattern_check

SHA256 = "a" * 64
SIMPLE = [
    "[ipv4-addr:value = '198.51.100.7']",
    "[ipv6-addr:value = '2001:db8::1']",
    "[domain-name:value = 'evil.example']",
    "[url:value = 'http://evil.example/a?b=c&d=\\'e\\'']",
    "[file:hashes.'SHA-256' = '" + SHA256 + "']",
    "[file:hashes.MD5 = '" + "0" * 32 + "']",
    "[file:hashes.'SHA-1' != '" + "b" * 40 + "']",
    "[email-addr:value = 'a@example.org' OR email-addr:value = 'b@example.org']",
    "[network-traffic:dst_ref.value = '203.0.113.9' AND network-traffic:dst_port = '443']",
    "[ipv4-addr:value = '10.0.0.1'] AND [domain-name:value = 'x.example']",
    "[ipv4-addr:value = '10.0.0.1'] OR [url:value = 'http://x.example/']",
    "[x-custom-thing:x_field = 'ünïcödé ✓ \\\\ back']",
    "[windows-registry-key:key = 'HKEY_LOCAL_MACHINE\\\\Software']",
    "[file:name = '']",
    "[ipv4-addr:value='10.0.0.1']",
    "  [ipv4-addr:value = '10.0.0.1']  ",
]
# Each is invalid, or valid but outside the subset: the library must decide.
HAND_PICKED = [
    "",
    " ",
    "ipv4-addr:value = '10.0.0.1'",
    "[ipv4-addr:value = '10.0.0.1'",
    "ipv4-addr:value = '10.0.0.1']",
    "[[ipv4-addr:value = '10.0.0.1']]",
    "[ipv4-addr:value = '10.0.0.1']]",
    "[ipv4-addr:value = 10.0.0.1]",
    '[ipv4-addr:value = "10.0.0.1"]',
    "[ipv4-addr:value = '10.0.0.1]",
    "[ipv4-addr:value = '10.0.0.1\\']",
    "[ipv4-addr:value = '10\\.0.0.1']",
    "[ipv4-addr:value == '10.0.0.1']",
    "[ipv4-addr:value <> '10.0.0.1']",
    "[ipv4-addr:value =! '10.0.0.1']",
    "[ipv4-addr:value LIKE '10.%']",
    "[ipv4-addr:value MATCHES '^10']",
    "[ipv4-addr:value ISSUBSET '10.0.0.0/8']",
    "[ipv4-addr:value IN ('10.0.0.1', '10.0.0.2')]",
    "[ipv4-addr:value NOT = '10.0.0.1']",
    "[NOT ipv4-addr:value = '10.0.0.1']",
    "[EXISTS ipv4-addr:value]",
    "[ipv4-addr:value = '10.0.0.1'] WITHIN 300 SECONDS",
    "[ipv4-addr:value = '10.0.0.1'] REPEATS 5 TIMES",
    "[ipv4-addr:value = '10.0.0.1'] REPEATS 5 TIMES REPEATS 2 TIMES",
    "[ipv4-addr:value = '10.0.0.1'] START t'2026-01-01T00:00:00Z' STOP t'2026-01-02T00:00:00Z'",
    "[ipv4-addr:value = '10.0.0.1'] FOLLOWEDBY [ipv4-addr:value = '10.0.0.2']",
    "([ipv4-addr:value = '10.0.0.1'])",
    "[(ipv4-addr:value = '10.0.0.1')]",
    "[ipv4-addr:value = '10.0.0.1' and ipv4-addr:value = '10.0.0.2']",
    "[ipv4-addr:value = '10.0.0.1'] and [ipv4-addr:value = '10.0.0.2']",
    "[ipv4-addr:value = '10.0.0.1'] AND",
    "AND [ipv4-addr:value = '10.0.0.1']",
    "[ipv4-addr:value = '10.0.0.1' AND]",
    "[ipv4-addr:value = '10.0.0.1' OR OR ipv4-addr:value = '10.0.0.1']",
    "[]",
    "[ipv4-addr: = '10.0.0.1']",
    "[:value = '10.0.0.1']",
    "[ipv4-addr value = '10.0.0.1']",
    "[ipv4-addr::value = '10.0.0.1']",
    "[ipv4-addr:value. = '10.0.0.1']",
    "[ipv4-addr:val-ue = '10.0.0.1']",
    "[ipv4-addr:value[0] = '10.0.0.1']",
    "[ipv4-addr:value[*] = '10.0.0.1']",
    "[ipv4-addr:'value' = '10.0.0.1']",
    "[4ipv4-addr:value = '10.0.0.1']",
    "[-ipv4:value = '10.0.0.1']",
    "[ipv4-:value = '10.0.0.1']",
    "[AND:value = '10.0.0.1']",
    "[file:AND = 'x']",
    "[file:true = 'x']",
    "[file:name = true]",
    "[file:size = 10]",
    "[file:hashes.'SHA-256' = 'zz']",
    "[file:hashes.MD5 = 'abc']",
    "[file:hashes.SHA256 = '" + "a" * 63 + "']",
    "[file:hashes.'SHA-256' = h'00ff']",
    "[file:name = b'AAAA']",
    "[ipv4-addr:value\t= '10.0.0.1']",
    "[ipv4-addr:value =\n'10.0.0.1']",
    "[ipv4-addr:value = '10.0.0.1'] /* a comment */",
    "[ipv4-addr:value = '10.0.0.1'] // a comment",
    "[ipv4-addr:valu\u0435 = '10.0.0.1']",  # a Cyrillic letter in the property
    "[ipv4-addr:value = '10.0.0.1'] AND (",
    "[ipv4-addr:value = '10.0.0.1']\u00a0",
    "[ipv4-addr:value = 'line\nbreak']",
    "[ipv4-addr:value = 'nul\x00char']",
    "[ipv4-addr:value = 'a' ] AND [ ipv4-addr:value = 'b' ]",
    "[ x : y = 'a' ]",
    "[x:y='a'AND x:z='b']",
    "[x:y='a']OR[x:z='b']",
    "[x:y.z.w = 'a']",
    "[x:y.'z w'.'' = 'a']",
    "[x:y.'z\\'w' = 'a']",
    "[x:y._ = 'a']",
    "[_x:_ = 'a']",
    "[x:y.0 = 'a']",
    "[x:y.-1 = 'a']",
    # For the compiled reader: separators and brackets inside strings, spaces where it allows none or more,
    # keywords in every place, escapes at a string's ends, quoted keys holding dots.
    "[a:b = '] AND [']",
    "[a:b = 'x' AND a:c = '] OR [a:d = ']",
    "[a:b = 'x']AND[a:c = 'y']",
    "[a:b = 'x'] AND[a:c = 'y']",
    "[a:b = 'x']  OR  [a:c = 'y']",
    "[a:b = 'x'  AND  a:c = 'y']",
    "[a:b = 'x'AND a:c = 'y']",
    "[a:b = 'x' ANDa:c = 'y']",
    "[a:b = 'x'] ANDOR [a:c = 'y']",
    "[a:b = 'x'] AND [a:c = 'y'] OR [a:d = 'z']",
    "[a:b = 'x' OR a:c = 'y' AND a:d = 'z']",
    "[a :b = 'x']",
    "[a: b = 'x']",
    "[a:b .c = 'x']",
    "[a:b. c = 'x']",
    "[a:b.'x.y'.z = 'v']",
    "[a:b.'x\\'.z = 'v']",
    "[a:b.and = 'x']",
    "[a:b.'AND' = 'x']",
    "[a:b.Stop = 'x']",
    "[like:b = 'x']",
    "[a:b = '\\\\'] OR [a:c = '\\'']",
    "[a:b = '\\\\\\'']",
    "[a:b = '\\\\\\']",
    "[a:b = '\\n']",
    "[a:b = 'x' ]",
    "[ a:b = 'x']",
    "[a:b='x'] AND [a:c!='y']",
    "[a:b = 'x'] AND [file:hashes.'SHA-256' = 'zz']",
    "[file:hashes.MD5 = '" + "0" * 32 + "' AND file:hashes.'SHA-256' = 'zz']",
    "[[a:b = 'x'] AND [a:c = 'y']]",
    "[a:b = 'x'] AND ([a:c = 'y'] OR [a:d = 'z'])",
    "[a:b = 'x'] AND [a:c = 'y'] FOLLOWEDBY [a:d = 'z']",
    "[a:b = 'x'] AND [a:c = 'y'] WITHIN 5 SECONDS",
    "[a:b = 'x'],[a:c = 'y']",
    "[a:b = 'x'] AND [a:c = 'y'",
    "[a:b = 'x'] AND [a:c = 'y']]",
    "[a:b = 'x'] AND [] ",
    "[a:b = 'x\u2028y']",
    "[a:b = 'x'] \t",
]

TYPES = ["ipv4-addr", "file", "url", "x-custom", "x_custom", "a", "ab", "IPV4-ADDR", "_t", "t-", "AND", "Or", "in"]
PROPERTIES = ["value", "name", "hashes", "x_y", "_", "Value", "NOT", "like", "exists", "dst_ref", "t", "h", "b"]
KEYS = ["MD5", "'SHA-256'", "'SHA-1'", "SHA1", "'a b'", "value", "'x\\'y'", "''", "STOP", "SHA512"]
VALUES = ["'x'", "''", "'\\''", "'\\\\'", "'a\\b'", "'" + SHA256 + "'", "'0'", "'é'", "'a''b'", "10", "true"]
OPERATORS = ["=", "!=", "==", "<>", "<", ">=", "LIKE", "IN", "NOT =", "= ="]
JOINS = [" AND ", " OR ", " and ", " FOLLOWEDBY ", " ", "AND", " AND  "]
NOISE = ["'", "\\", "[", "]", "(", ")", ":", ".", "=", "!", " ", "\t", "\n", "-", "_", "a", "0", " AND ", "'x'", "*"]


def comparison(rng: random.Random) -> str:
    path = rng.choice(PROPERTIES)
    for _step in range(rng.choice([0, 0, 1, 2])):
        path += "." + rng.choice(KEYS)
    operator = "=" if rng.random() < 0.6 else rng.choice(OPERATORS)
    value = "'" + rng.choice(["10.0.0.1", "a", SHA256, "0" * 32, "x y"]) + "'"
    if rng.random() < 0.2:
        value = rng.choice(VALUES)
    return f"{rng.choice(TYPES[:5]) if rng.random() < 0.7 else rng.choice(TYPES)}:{path} {operator} {value}"


def generated(rng: random.Random) -> str:
    observations = []
    for _obs in range(rng.choice([1, 1, 1, 2, 3])):
        parts = [comparison(rng) for _cmp in range(rng.choice([1, 1, 2, 3]))]
        joins = [" AND " if rng.random() < 0.5 else " OR " for _join in parts[1:]]
        if rng.random() < 0.1:
            joins = [rng.choice(JOINS) for _join in parts[1:]]
        text = parts[0] + "".join(join + part for join, part in zip(joins, parts[1:], strict=True))
        observations.append(f"[{text}]")
    pattern = observations[0]
    for observation in observations[1:]:
        pattern += (" AND " if rng.random() < 0.5 else " OR ") if rng.random() < 0.9 else rng.choice(JOINS)
        pattern += observation
    if rng.random() < 0.4:  # break it somewhere, or not
        at = rng.randrange(len(pattern) + 1)
        cut = rng.choice([0, 0, 1, 2])
        pattern = pattern[:at] + rng.choice(["", *NOISE]) + pattern[at + cut :]
    return pattern


SPACINGS = ["", " ", " ", " ", "  ", "\t"]


def spaced(rng: random.Random) -> str:
    """A valid pattern of the simple subset, its spaces changed at random: removed, doubled, added around
    brackets, colons and dots, or a tab; and sometimes an escape or a quote put into a string."""
    observations = []
    for _obs in range(rng.choice([1, 1, 2, 3])):
        parts = []
        for _cmp in range(rng.choice([1, 1, 2, 3])):
            path = rng.choice(["value", "name", "hashes.MD5", "hashes.'SHA-256'", "x.'a.b'.c", "dst_ref.value"])
            value = rng.choice(["'10.0.0.1'", "''", "'\\''", "'\\\\'", "'a] AND [b'", "'" + "0" * 32 + "'"])
            space = [rng.choice(SPACINGS) if rng.random() < 0.3 else " " for _n in range(2)]
            colon = rng.choice(["", "", "", " "]) if rng.random() < 0.2 else ""
            parts.append(f"{rng.choice(TYPES[:5])}{colon}:{path}{space[0]}{rng.choice(['=', '!='])}{space[1]}{value}")
        inner = rng.choice(SPACINGS) if rng.random() < 0.3 else " "
        text = parts[0] + "".join(f"{inner}{rng.choice(['AND', 'OR'])}{inner}{part}" for part in parts[1:])
        edges = [rng.choice(SPACINGS) if rng.random() < 0.3 else "" for _n in range(2)]
        observations.append(f"[{edges[0]}{text}{edges[1]}]")
    between = rng.choice(SPACINGS) if rng.random() < 0.3 else " "
    pattern = observations[0] + "".join(
        f"{between}{rng.choice(['AND', 'OR'])}{between}{obs}" for obs in observations[1:]
    )
    if rng.random() < 0.15:
        at = rng.randrange(len(pattern) + 1)
        pattern = pattern[:at] + rng.choice(["'", "\\", "\\'", " ", ".", "]", "["]) + pattern[at:]
    return pattern


def patterns() -> list[str]:
    rng = random.Random(20261207)  # noqa: S311 -- a fixed seed, to generate the same patterns every run
    more = random.Random(20261208)  # noqa: S311 -- a fixed seed, for the spacings
    return SIMPLE + HAND_PICKED + [generated(rng) for _n in range(1500)] + [spaced(more) for _n in range(600)]


def outcome(check: Any, pattern: str, version: str = "2.1") -> Any:
    """The errors a check gives, or the exception it raises (the library fails on an empty pattern)."""
    try:
        return check(pattern, version)
    except Exception as exc:  # compared, not hidden: both must fail the same way
        return f"raised {type(exc).__name__}"


def library_inspection(pattern: str) -> tuple[Any, ...]:
    data = LibraryPattern(pattern).inspect()
    return (data.comparisons, data.observation_ops, data.qualifiers)


@pytest.mark.slow
def test_same_verdict_and_messages_as_the_library_parser() -> None:
    fast_valid = fast_invalid = library_valid = invalid = 0
    for pattern in patterns():
        expected = outcome(library_run_validator, pattern)
        assert outcome(pattern_check.run_validator, pattern) == expected, pattern
        simple = pattern_check.read_simple(pattern)
        invalid += 1 if expected else 0
        if not expected:
            library_valid += 1
            found = pattern_check.Pattern(pattern).inspect()
            assert (found.comparisons, found.observation_ops, found.qualifiers) == library_inspection(pattern)
        if simple is not None:
            fast_valid += 1 if not expected else 0
            fast_invalid += 1 if expected else 0
    assert fast_invalid == 0  # the fast path never passes a pattern the library refuses
    # The generated patterns exercise every way: valid ones read here (401 of 2,234 with these seeds), valid
    # ones outside the subset (390), invalid ones (1,443).
    assert fast_valid >= 350, fast_valid
    assert library_valid - fast_valid >= 200, (library_valid, fast_valid)
    assert invalid >= 1200, invalid


def token_reading(pattern: str) -> Any:
    """What the reader of tokens makes of a pattern (None outside the subset)."""
    try:
        return pattern_check._Reader(pattern_check._tokens(pattern)).pattern()
    except pattern_check._OutsideSubsetError:
        return None


def test_the_compiled_reader_reads_as_the_reader_of_tokens() -> None:
    """Whatever the compiled expressions read, the reader of tokens reads the same way (the same comparisons,
    paths, operators, values and observation operators); what they do not read, it still decides."""
    compiled = tokens_only = 0
    for pattern in patterns():
        found = pattern_check._read_compiled(pattern)
        expected = token_reading(pattern)
        if found is not None:
            compiled += 1
            assert found == expected, pattern
        elif expected is not None:
            tokens_only += 1
    # Both ways are exercised: with these seeds 546 patterns are read by the compiled expressions, and 49 of
    # the subset's other spellings (a space before a colon, AND written against a string) by tokens.
    assert compiled >= 400, compiled
    assert tokens_only >= 10, tokens_only
    for pattern in SIMPLE:
        if "\t" not in pattern:
            assert pattern_check._read_compiled(pattern) is not None, pattern


def test_the_simple_patterns_take_the_fast_path_and_the_others_do_not() -> None:
    for pattern in SIMPLE:
        assert pattern_check.read_simple(pattern) is not None, pattern
        assert library_run_validator(pattern, "2.1") == [], pattern
    for pattern in HAND_PICKED:
        assert outcome(pattern_check.run_validator, pattern) == outcome(library_run_validator, pattern), pattern
    # A refused hash value goes to the library, which names it.
    bad_hash = "[file:hashes.'SHA-256' = 'zz']"
    assert pattern_check.read_simple(bad_hash) is None
    assert pattern_check.run_validator(bad_hash) == ["FAIL: 'zz' is not a valid SHA-256 hash"]


def test_other_versions_and_types_go_to_the_library() -> None:
    pattern = "[ipv4-addr:value = '10.0.0.1']"
    assert pattern_check.run_validator(pattern, "2.0") == library_run_validator(pattern, "2.0")
    assert pattern_check.run_validator("[file:name = 'a'] WITHIN 0 SECONDS", "2.0") == library_run_validator(
        "[file:name = 'a'] WITHIN 0 SECONDS", "2.0"
    )


PROGRAM = """
import json, sys
if sys.argv[1] == "library":
    import stix2patterns.validator as patterns_library
    patterns_library._cyberplan_fast_patterns = True  # the fast check believes itself installed: not used
from cyberplan.pipeline.importers.stix.validation import validate_object
out = []
for obj in json.loads(sys.stdin.read()):
    result = validate_object(obj)
    out.append(None if result.problem is None else [result.problem.field, result.problem.reason])
print(json.dumps(out))
"""


@pytest.mark.slow
def test_validating_indicators_says_the_same_with_and_without_the_fast_check() -> None:
    rng = random.Random(7)  # noqa: S311 -- a fixed seed
    chosen = SIMPLE + HAND_PICKED + [generated(rng) for _n in range(150)]
    objects = []
    for n, pattern in enumerate(chosen):
        obj = {
            "type": "indicator",
            "spec_version": "2.1",
            "id": f"indicator--00000000-0000-4000-8000-{n:012d}",
            "created": "2026-01-01T00:00:00.000Z",
            "modified": "2026-01-01T00:00:00.000Z",
            "pattern": pattern,
            "pattern_type": "stix",
            "valid_from": "2026-01-01T00:00:00Z",
        }
        if n % 3 == 0:
            obj["pattern_version"] = "2.1"
        objects.append(obj)
    said = {}
    for way in ("library", "fast"):
        done = subprocess.run(  # this interpreter, a fixed program, the objects on its input
            [sys.executable, "-c", PROGRAM, way], input=json.dumps(objects), capture_output=True, text=True, check=True
        )
        said[way] = json.loads(done.stdout)
    assert said["fast"] == said["library"]
    assert sum(1 for verdict in said["fast"] if verdict is None) >= len(SIMPLE)
    assert sum(1 for verdict in said["fast"] if verdict is not None) >= 50
