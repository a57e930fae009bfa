"""observatory.china is plain Python: no module in it imports Django (docs/architecture.md, the import rules)."""

from __future__ import annotations

import ast
from pathlib import Path

import observatory.china

PACKAGE = Path(observatory.china.__file__).parent


def test_no_module_imports_django():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in ("django", "rest_framework")]
    assert offenders == []
    assert len(list(PACKAGE.rglob("*.py"))) >= 7
