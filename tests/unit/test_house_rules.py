"""The house's size rules, on the product's own code (ruff holds complexity at 25, import-linter the floors):
no module over 450 lines, no function over 100 lines. A module or function past them is split into named parts."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
PRODUCT = sorted(
    [PROJECT / "app.py"]
    + [p for top in ("callbacks", "layouts", "geodata", "data_feeds") for p in (PROJECT / top).rglob("*.py")]
)
MAX_MODULE_LINES, MAX_FUNCTION_LINES = 450, 100


def _name(path: Path) -> str:
    return str(path.relative_to(PROJECT))


@pytest.mark.parametrize("path", PRODUCT, ids=_name)
def test_no_module_over_450_lines(path):
    assert len(path.read_text().splitlines()) <= MAX_MODULE_LINES


@pytest.mark.parametrize("path", PRODUCT, ids=_name)
def test_no_function_over_100_lines(path):
    long = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno >= MAX_FUNCTION_LINES
    ]
    assert long == []


def test_the_rules_see_the_whole_product():
    assert len(PRODUCT) > 100 and all(p.suffix == ".py" for p in PRODUCT)
