"""A mutation harness over the bundled fixtures: each case copies one input, breaks it in one
way chosen by a seeded generator (a nasty cell, a dropped column, a truncated file, an
unbalanced quote, binary bytes, a deep or wrongly typed JSON value), and names what it broke.
tests/test_malformed_input.py runs every reader and command on the cases."""

from __future__ import annotations

import csv
import io
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Values that broke readers before, or could: non-numbers, overflow, odd dates and offsets,
# weekday codes, control characters, huge text.
NASTY_CELLS = (
    "nan", "NaN", "inf", "-inf", "1e308", "-1e308", "1e999", "99999999999999999999", "-1", "0",
    "", "0001-01-01", "0001-01-01T00:00", "9999-12-31T23:59", "2026-11-24T08:00+05:00",
    "2026-11-24T08:00Z", "2026-13-45", "25:61", "XX", "MO;ZZ", "true", "null", "\x00", "é😀",
    "x" * 5000, "08:00/07:00", "2026-11-24T10:00/2026-11-24T08:00", ";;;", "a;b;c",
    "2026-11-24T08:00/2026-11-24T10:00+01:00", "FREQ=HOURLY", "-0", "1_000", "0x10",
)  # fmt: skip
NASTY_JSON: tuple[Any, ...] = (
    float("nan"), float("inf"), -float("inf"), 1e308, -1e308, 10**30, -1, 0, None, True, "",
    [], {}, "0001-01-01T00:00", "2026-11-24T08:00+05:00", "XX", "\x00", "x" * 5000, [[[]]],
    {"a": {"b": {}}}, "MO;ZZ", "FREQ=SECONDLY",
)  # fmt: skip


@dataclass(frozen=True)
class Case:
    """One broken input: the file broken in the copy, how, and the kind of break."""

    file: str
    how: str
    kind: str  # cell, column, row, truncate, quote, binary, empty, json-value, json-key, deep


def _read_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def _write_rows(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def break_csv(path: Path, rng: random.Random) -> Case:
    text = path.read_text(encoding="utf-8")
    rows = _read_rows(text)
    name = path.name
    kind = rng.choice(["cell"] * 6 + ["column", "row", "truncate", "quote", "binary", "empty"])
    if kind == "cell" and len(rows) > 1:
        r = rng.randrange(1, len(rows))
        c = rng.randrange(len(rows[0]))
        value = rng.choice(NASTY_CELLS)
        while len(rows[r]) <= c:
            rows[r].append("")
        rows[r][c] = value
        path.write_text(_write_rows(rows), encoding="utf-8")
        return Case(name, f"line {r + 1} column {rows[0][c]} = {value[:20]!r}", kind)
    if kind == "column":
        c = rng.randrange(len(rows[0]))
        dropped = rows[0][c]
        path.write_text(_write_rows([row[:c] + row[c + 1 :] for row in rows]), encoding="utf-8")
        return Case(name, f"column {dropped} dropped", kind)
    if kind == "row" and len(rows) > 1:
        r = rng.randrange(1, len(rows))
        path.write_text(_write_rows([*rows, rows[r]]), encoding="utf-8")
        return Case(name, f"line {r + 1} given twice", kind)
    if kind == "truncate":
        cut = rng.randrange(1, max(2, len(text)))
        path.write_text(text[:cut], encoding="utf-8")
        return Case(name, f"cut after {cut} characters", kind)
    if kind == "quote":
        lines = text.splitlines()
        r = rng.randrange(len(lines))
        at = rng.randrange(len(lines[r]) + 1)
        lines[r] = lines[r][:at] + '"' + lines[r][at:]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return Case(name, f"unbalanced quote on line {r + 1}", kind)
    if kind == "binary":
        path.write_bytes(bytes(rng.randrange(256) for _ in range(200)))
        return Case(name, "binary bytes", kind)
    path.write_text("", encoding="utf-8")
    return Case(name, "empty", "empty")


def _leaves(value: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        found = [at] if at else []
        return found + [p for k, v in value.items() for p in _leaves(v, (*at, k))]
    if isinstance(value, list):
        found = [at] if at else []
        return found + [p for i, v in enumerate(value) for p in _leaves(v, (*at, i))]
    return [at]


def _set(document: Any, at: tuple[Any, ...], value: Any) -> None:
    for key in at[:-1]:
        document = document[key]
    document[at[-1]] = value


def break_json(path: Path, rng: random.Random) -> Case:
    text = path.read_text(encoding="utf-8")
    document = json.loads(text)
    name = path.name
    kind = rng.choice(["json-value"] * 6 + ["json-key", "deep", "truncate", "binary", "empty"])
    paths = [p for p in _leaves(document) if p]
    if kind == "json-value" and paths:
        at = rng.choice(paths)
        value = rng.choice(NASTY_JSON)
        _set(document, at, value)
        path.write_text(json.dumps(document), encoding="utf-8")  # NaN/Infinity as Python writes
        return Case(name, f"{'.'.join(map(str, at))} = {str(value)[:20]!r}", kind)
    if kind == "json-key":
        dicts = [p for p in paths if isinstance(_get(document, p), dict)] or [()]
        at = rng.choice(dicts)
        target = _get(document, at)
        if isinstance(target, dict) and target:
            key = rng.choice(sorted(target))
            del target[key]
            path.write_text(json.dumps(document), encoding="utf-8")
            return Case(name, f"{'.'.join(map(str, (*at, key)))} removed", kind)
        kind = "deep"
    if kind == "deep":
        depth = rng.choice([200, 5_000, 100_000])
        path.write_text("[" * depth + "]" * depth, encoding="utf-8")
        return Case(name, f"nested {depth} deep", kind)
    if kind == "truncate":
        cut = rng.randrange(1, max(2, len(text)))
        path.write_text(text[:cut], encoding="utf-8")
        return Case(name, f"cut after {cut} characters", kind)
    if kind == "binary":
        path.write_bytes(bytes(rng.randrange(256) for _ in range(200)))
        return Case(name, "binary bytes", kind)
    path.write_text("", encoding="utf-8")
    return Case(name, "empty", "empty")


def _get(document: Any, at: tuple[Any, ...]) -> Any:
    for key in at:
        document = document[key]
    return document


def break_text(path: Path, rng: random.Random) -> Case:
    """A TOML (or any text) file: truncated, binary, a line replaced by a nasty one, empty."""
    text = path.read_text(encoding="utf-8")
    kind = rng.choice(["line", "line", "truncate", "binary", "empty"])
    if kind == "line":
        lines = text.splitlines()
        r = rng.randrange(len(lines))
        key = lines[r].split("=")[0].strip() or "x"
        value = rng.choice(["nan", "inf", "-1", "1e308", '"XX"', "[", "{", '"\x00"', "[[1]]"])
        lines[r] = f"{key} = {value}"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return Case(path.name, f"line {r + 1} = {lines[r][:30]!r}", "cell")
    if kind == "truncate":
        cut = rng.randrange(1, max(2, len(text)))
        path.write_text(text[:cut], encoding="utf-8")
        return Case(path.name, f"cut after {cut} characters", kind)
    if kind == "binary":
        path.write_bytes(bytes(rng.randrange(256) for _ in range(200)))
        return Case(path.name, "binary bytes", kind)
    path.write_text("", encoding="utf-8")
    return Case(path.name, "empty", "empty")


def breaker(path: Path) -> Callable[[Path, random.Random], Case]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return break_csv
    if suffix == ".json":
        return break_json
    return break_text
