"""The tests' own layout: no module under tests/, e2e/ or bench/ imports a test module
(test_*.py). Shared builders live in tests/factories.py, fixtures in conftest.py files and
other shared helpers in plain modules, so a test file can be moved, renamed or deleted
without breaking another."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = ("tests", "e2e", "bench")


def _modules() -> dict[str, Path]:
    """Every Python file in the scanned folders, by its dotted module name."""
    found = {}
    for folder in FOLDERS:
        for path in (ROOT / folder).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def _imported(path: Path, module: str) -> set[str]:
    """The dotted names a file imports, anywhere in it (inside functions too), with
    `from package import name` giving both the package and package.name."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *filter(None, [base])])
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def _is_test_module(name: str, modules: dict[str, Path]) -> bool:
    return name in modules and modules[name].name.startswith("test_")


def test_no_module_imports_a_test_module():
    modules = _modules()
    offenders = sorted(
        f"{path.relative_to(ROOT)} imports {name}"
        for module, path in modules.items()
        for name in _imported(path, module)
        if _is_test_module(name, modules) and name != module
    )
    assert offenders == []


def test_the_check_sees_every_form_of_import(tmp_path):
    """The scan itself: plain, from-package, relative and function-level imports."""
    source = ("import tests.unit.booking.test_service\n"
              "from tests.integration import test_fhir_api\n"
              "from . import test_rp\n"
              "def f():\n    from .test_tokens import NOW\n")
    path = tmp_path / "test_x.py"
    path.write_text(source, encoding="utf-8")
    names = _imported(path, "tests.unit.auth.test_x")
    assert {"tests.unit.booking.test_service", "tests.integration.test_fhir_api",
            "tests.unit.auth.test_rp", "tests.unit.auth.test_tokens"} <= names


def test_tests_are_laid_out_like_the_code():
    """A unit test sits in tests/unit/<domain>/ beside a package folder of the same name (or
    tests/unit/ui/, tests/unit/dev/ for the Reflex layer and the dev tools); tests that need
    a server, a second process or several domains sit in tests/integration/."""
    domains = {p.name for p in (ROOT / "digihelse").iterdir() if (p / "__init__.py").exists()}
    misplaced = []
    for path in (ROOT / "tests").rglob("test_*.py"):
        parts = path.relative_to(ROOT / "tests").parts
        if parts[0] == "integration" and len(parts) == 2:
            continue
        if parts[0] == "unit" and (len(parts) == 2 or parts[1] in domains | {"dev"}):
            continue
        misplaced.append(str(path.relative_to(ROOT)))
    assert misplaced == []
