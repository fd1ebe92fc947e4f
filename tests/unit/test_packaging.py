"""What ships: the product wheel holds the digihelse package and none of the dev tooling
(the embedded test providers, test users, seed and demo data live in devtools/digihelse_dev),
and the product imports digihelse_dev only inside functions that run in dev mode."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "digihelse"
DEV_PACKAGE = ROOT / "devtools" / "digihelse_dev"

# What the dev tooling defines, by the module that defines it: none of it may be defined
# anywhere in the wheel.
DEV_DEFINITIONS = {
    "providers/provider.py": {"TestProvider"},
    "providers/config.py": {"TestUser", "ClientRegistration", "citizen_config",
                            "personnel_config"},
    "providers/flowstore.py": {"FlowStore", "sweep_expired"},
    "providers/page.py": {"render_login_page"},
    "testusers.py": {"citizen_test_users", "personnel_test_users"},
    "seed.py": {"seed", "seed_demo_activity", "DemoPerson"},
    "demo_bookings.py": {"seed_bookings", "seed_schedules"},
    "demo_card.py": {"seed_checkups", "seed_tests_and_background"},
}

# Every import of digihelse_dev in the product, by module and the function it sits in,
# with the dev-mode guard that keeps it from running otherwise, in the function named:
# "inside" an `if <guard>:`, or "after_return" of an `if <guard>: ... return`. When that
# function is not the importing one, the importing function (or its class) is used only
# there, behind the guard. An import added anywhere else fails here until it is guarded
# and listed.
GUARDED_IMPORTS = {
    # the embedded providers are built only when the settings turn them on
    ("digihelse/auth/runtime.py", "_embedded_providers"):
        ("build_auth_runtime", "settings.test_providers", "inside"),
    # our client key for the embedded provider (production refuses an embedded issuer)
    ("digihelse/auth/runtime.py", "StoredClientKey.private_pem"):
        ("_stored_key", "not oidc.embedded", "after_return"),
    # the job that sweeps the test providers' flow rows is scheduled only with them
    ("digihelse/background.py", "sweep_login_flows"):
        ("_start", "settings.test_providers", "inside"),
    # `seed` and `bootstrap` load the demo data, never in production
    ("digihelse/cli.py", "main"): ("main", "get_settings().is_production", "after_return"),
}

_NOT_PART_OF_A_BUILD = shutil.ignore_patterns(
    ".git", ".venv", ".web", ".web-*", ".tools", ".states", "node_modules", "data",
    "build", "dist", "*.egg-info", "__pycache__", ".hypothesis", ".pytest_cache",
    ".ruff_cache", "artifacts",
)


def _build_wheel(tmp_path: Path) -> Path:
    """The product wheel, built offline from a copy of the repository root (so the build
    leaves nothing in the checkout), with the venv's own setuptools."""
    source, out = tmp_path / "src", tmp_path / "wheels"
    shutil.copytree(ROOT, source, ignore=_NOT_PART_OF_A_BUILD)
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--no-index", "--disable-pip-version-check", "-q", "-w", str(out), str(source)],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, f"the wheel did not build:\n{done.stdout}\n{done.stderr}"
    wheels = list(out.glob("digihelse-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def _top_level_names(source: str) -> set[str]:
    return {node.name for node in ast.parse(source).body
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)}


def test_the_product_wheel_holds_the_package_and_no_dev_providers_users_or_demo_data(
    tmp_path,
):
    for module, names in DEV_DEFINITIONS.items():  # the list above still names real code
        assert names <= _top_level_names((DEV_PACKAGE / module).read_text("utf-8")), module

    with zipfile.ZipFile(_build_wheel(tmp_path)) as wheel:
        entries = wheel.namelist()
        metadata = next(wheel.read(n).decode() for n in entries
                        if n.endswith(".dist-info/METADATA"))
        sources = {n: wheel.read(n).decode("utf-8") for n in entries if n.endswith(".py")}

    dist_info = {n for n in entries if n.split("/")[0].endswith(".dist-info")}
    shipped = set(entries) - dist_info
    # Exactly the product package: its modules and its translation catalogs, nothing else.
    expected = {
        path.relative_to(ROOT).as_posix()
        for path in [*PACKAGE.rglob("*.py"), *PACKAGE.rglob("*.po")]
        if "__pycache__" not in path.parts
    }
    assert shipped == expected, (sorted(shipped - expected), sorted(expected - shipped))
    assert not [n for n in entries if n.startswith(("digihelse_dev/", "devtools/"))]
    assert {"digihelse/__init__.py", "digihelse/auth/rp.py",
            "digihelse/core/i18n/locales/nb/LC_MESSAGES/messages.po"} <= shipped

    dev_names = set().union(*DEV_DEFINITIONS.values())
    defined_here = {name: path for path, source in sources.items()
                    for name in _top_level_names(source) & dev_names}
    assert not defined_here, f"dev tooling defined in the product: {defined_here}"
    requires = [line for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    assert not [line for line in requires if "digihelse-dev" in line.lower()
                or "digihelse_dev" in line.lower()]


class _DevImports(ast.NodeVisitor):
    """Where a module imports digihelse_dev: the qualified name of the enclosing function
    (None at module level, class bodies included)."""

    def __init__(self) -> None:
        self.scope: list[tuple[str, bool]] = []  # (name, is a function)
        self.found: list[tuple[str | None, ast.AST]] = []

    def _enter(self, node, is_function: bool) -> None:
        self.scope.append((node.name, is_function))
        self.generic_visit(node)
        self.scope.pop()

    def visit_ClassDef(self, node):
        self._enter(node, False)

    def visit_FunctionDef(self, node):
        self._enter(node, True)

    visit_AsyncFunctionDef = visit_FunctionDef

    def _note(self, node) -> None:
        inside_function = any(is_function for _, is_function in self.scope)
        qualname = ".".join(name for name, _ in self.scope) if inside_function else None
        self.found.append((qualname, node))

    def visit_Import(self, node):
        if any(alias.name.split(".")[0] == "digihelse_dev" for alias in node.names):
            self._note(node)

    def visit_ImportFrom(self, node):
        if (node.module or "").split(".")[0] == "digihelse_dev" and not node.level:
            self._note(node)

    def visit_Call(self, node):  # importlib.import_module("digihelse_dev...") and the like
        first = node.args[0] if node.args else None
        if (isinstance(first, ast.Constant) and isinstance(first.value, str)
                and first.value.split(".")[0] == "digihelse_dev"):
            self._note(node)
        self.generic_visit(node)


def _function(tree: ast.Module, qualname: str) -> ast.FunctionDef | ast.AsyncFunctionDef:
    node: ast.AST = tree
    for part in qualname.split("."):
        node = next(child for child in ast.iter_child_nodes(node)
                    if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
                    and child.name == part)
    assert isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef), qualname
    return node


def _contains(statements: list[ast.stmt], target: ast.AST) -> bool:
    return any(node is target for stmt in statements for node in ast.walk(stmt))


def _guarded(guard_function: ast.AST, guard: str, how: str, references: list[ast.AST]) -> bool:
    """Every reference sits in the body of an `if` whose test holds `guard` ("inside"), or
    follows, in the same block, an `if` whose test holds `guard` and whose body returns
    ("after_return": the function has left before the reference when the guard holds)."""

    def is_guard(stmt: ast.stmt) -> bool:
        return isinstance(stmt, ast.If) and guard in ast.unparse(stmt.test)

    def ok(ref: ast.AST) -> bool:
        for node in ast.walk(guard_function):
            for field in ("body", "orelse", "finalbody"):
                block = getattr(node, field, None)
                if not isinstance(block, list):
                    continue
                for i, stmt in enumerate(block):
                    if not is_guard(stmt):
                        continue
                    if how == "inside" and _contains(stmt.body, ref):
                        return True
                    if (how == "after_return" and isinstance(stmt.body[-1], ast.Return)
                            and _contains(block[i + 1:], ref)):
                        return True
        return False

    return bool(references) and all(ok(ref) for ref in references)


def test_the_product_imports_digihelse_dev_only_inside_dev_mode_functions():
    found: dict[tuple[str, str | None], list[ast.AST]] = {}
    trees: dict[str, ast.Module] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        module = path.relative_to(ROOT).as_posix()
        tree = trees[module] = ast.parse(path.read_text("utf-8"), module)
        visitor = _DevImports()
        visitor.visit(tree)
        for qualname, node in visitor.found:
            found.setdefault((module, qualname), []).append(node)

    at_module_level = sorted(module for module, qualname in found if qualname is None)
    assert not at_module_level, f"digihelse_dev imported at module level in {at_module_level}"
    assert set(found) == set(GUARDED_IMPORTS), (
        "list each import of digihelse_dev in GUARDED_IMPORTS with its dev-mode guard: "
        f"unlisted {sorted(set(found) - set(GUARDED_IMPORTS))}, "
        f"gone {sorted(set(GUARDED_IMPORTS) - set(found))}")

    for (module, qualname), imports in found.items():
        guard_at, guard, how = GUARDED_IMPORTS[(module, qualname)]
        tree = trees[module]
        guard_function = _function(tree, guard_at)
        if guard_at == qualname:
            references = imports  # the guard sits in the importing function itself
        else:
            # The importing function (or its class) is used only in guard_function, and
            # there behind the guard.
            target = qualname.split(".")[0]
            uses = [node for node in ast.walk(tree)
                    if isinstance(node, ast.Name) and node.id == target
                    and isinstance(node.ctx, ast.Load)]
            inside_guard_function = [node for node in ast.walk(guard_function)
                                     if isinstance(node, ast.Name) and node.id == target
                                     and isinstance(node.ctx, ast.Load)]
            annotations = _annotation_names(tree)
            outside = [node for node in uses if node not in inside_guard_function
                       and id(node) not in annotations]
            assert not outside, (f"{module}: {target} is used outside {guard_at} "
                                 f"(lines {[n.lineno for n in outside]})")
            references = [node for node in inside_guard_function
                          if id(node) not in annotations]
        assert _guarded(guard_function, guard, how, references), (
            f"{module}: the import in {qualname} is not behind `{guard}` in {guard_at}")


def _annotation_names(tree: ast.Module) -> set[int]:
    """ids of the Name nodes inside annotations (a type named there runs nothing)."""
    ids: set[int] = set()
    for node in ast.walk(tree):
        annotations = []
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            arguments = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs,
                         *filter(None, [node.args.vararg, node.args.kwarg])]
            annotations = [arg.annotation for arg in arguments if arg.annotation]
            annotations += [node.returns] if node.returns else []
        elif isinstance(node, ast.AnnAssign):
            annotations = [node.annotation]
        for annotation in annotations:
            ids.update(id(name) for name in ast.walk(annotation))
    return ids


def test_the_demo_data_is_never_loaded_in_production(monkeypatch, capsys):
    from digihelse import cli
    from digihelse.core import settings as settings_module

    for name, value in {"DIGIHELSE_ENV": "production",
                        "DIGIHELSE_PUBLIC_URL": "https://digihelse.example.no",
                        "DIGIHELSE_OIDC_ISSUER": "https://idporten.example.no",
                        "DIGIHELSE_OIDC_CLIENT_SECRET": "x",
                        "DIGIHELSE_HELSEID_ISSUER": "https://helseid.example.no",
                        "DIGIHELSE_HELSEID_PRIVATE_KEY": "pem",
                        "DIGIHELSE_AUDIT_KEY": "k" * 32}.items():
        monkeypatch.setenv(name, value)
    settings_module.get_settings.cache_clear()
    try:
        assert cli.main(["seed"]) == 2
        assert "no demo data in production" in capsys.readouterr().out
    finally:
        settings_module.get_settings.cache_clear()
