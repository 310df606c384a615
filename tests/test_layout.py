"""The layout's rules that no linter holds (issue 15): SQL lives in backoffice/db only, no `assert` does control
flow in the product (python -O drops them), and no test hook ends the process from inside the product."""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "backoffice"
SQL = re.compile(  # SQL as we write it: upper-case keywords
    r"^\s*\(?\s*(SELECT\s|INSERT INTO|UPDATE \w+ SET|DELETE FROM|CREATE (OR REPLACE )?(TEMP )?(TABLE|VIEW|INDEX)"
    r"|DROP (TABLE|VIEW)|ALTER TABLE|WITH \w+ AS|COPY \w+)"
)


def _modules(outside: str | None = None) -> list[Path]:
    return [
        p for p in sorted(PACKAGE.rglob("*.py")) if outside is None or not p.is_relative_to(PACKAGE / outside)
    ]


def test_sql_is_written_only_in_backoffice_db() -> None:
    found = []
    for path in _modules(outside="db"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.match(node.value):
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: {node.value[:60]!r}")
    assert found == []


def test_no_assert_in_the_product() -> None:
    found = [
        f"{path.relative_to(PACKAGE)}:{node.lineno}"
        for path in _modules()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Assert)
    ]
    assert found == []


def test_no_test_hook_in_the_product() -> None:
    found = [
        str(path.relative_to(PACKAGE))
        for path in _modules()
        if "os._exit" in (text := path.read_text(encoding="utf-8")) or "BACKOFFICE_IMPORT_CRASH" in text
    ]
    assert found == []
