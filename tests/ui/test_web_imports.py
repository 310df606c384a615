"""The web front-end's modules import each other one way: no cycle, not even through an import inside a function."""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

WEB = Path(__file__).resolve().parents[2] / "backoffice" / "web"


def _web_imports(path: Path) -> set[str]:
    """The backoffice.web modules a file imports, wherever the import statement stands."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("backoffice.web"):
            if node.module == "backoffice.web":
                found |= {f"backoffice.web.{a.name}" for a in node.names if (WEB / f"{a.name}.py").exists()}
                found.add("backoffice.web")
            else:
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("backoffice.web")}
    return found


def test_the_web_modules_have_no_import_cycle() -> None:
    graph = {
        ("backoffice.web" if p.stem == "__init__" else f"backoffice.web.{p.stem}"): _web_imports(p)
        for p in WEB.glob("*.py")
    }
    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError as exc:
        raise AssertionError(f"import cycle: {exc.args[1]}") from None
    assert order.index("backoffice.web.session") < order.index("backoffice.web.signin")
    assert order.index("backoffice.web.signin") < order.index("backoffice.web.state")
    assert "backoffice.web.state" not in graph["backoffice.web.signin"]
    assert "backoffice.web.state" not in graph["backoffice.web.invitations"]
