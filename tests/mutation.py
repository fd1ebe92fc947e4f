"""Mutants of the booking service, and a runner that shows the state machine kills each.

A mutant is one function of one module changed in its syntax tree. The runner, a process of
its own (`python -m tests.mutation NAME`), puts an import hook in front of Python's own
before anything imports the product: the module is then compiled from its source file with
the change, everywhere it is imported, and the file on disk is never touched. It runs
tests/booking_machine.py's machine with a fixed seed and no shrinking, and
exits 1 when the machine caught the mutant (an assertion failed), 0 when the mutant
survived, and 2 when the mutant could not be applied (the function is gone or the change
no longer fits: re-point the table) or the run crashed instead of failing an assertion.

When code moves, only MUTANTS changes: which module, which function, which change."""

from __future__ import annotations

import ast
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

Change = Callable[[ast.FunctionDef], bool]  # edits the function in place; False: no fit


def replace_body(source: str) -> Change:
    """The function's body becomes `source` (its parameters stay)."""
    def change(func: ast.FunctionDef) -> bool:
        func.body = ast.parse(source).body
        return True
    return change


def drop_calls(callee: str) -> Change:
    """Statements that call `callee(...)` (by plain name) are removed."""
    def change(func: ast.FunctionDef) -> bool:
        found = False
        for node in ast.walk(func):
            for name in ("body", "orelse", "finalbody"):
                statements = getattr(node, name, None)
                if not isinstance(statements, list):
                    continue
                kept = [st for st in statements if not _calls(st, callee)]
                if len(kept) != len(statements):
                    found = True
                    setattr(node, name, kept or [ast.Pass()])
        return found
    return change


def _calls(statement: ast.stmt, callee: str) -> bool:
    return (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)
            and isinstance(statement.value.func, ast.Name) and statement.value.func.id == callee)


def swap_comparison(old: type[ast.cmpop], new: type[ast.cmpop]) -> Change:
    """Every `old` comparison operator in the function becomes `new` (e.g. >= to >)."""
    def change(func: ast.FunctionDef) -> bool:
        found = False
        for node in ast.walk(func):
            if isinstance(node, ast.Compare):
                for i, op in enumerate(node.ops):
                    if isinstance(op, old):
                        node.ops[i], found = new(), True
        return found
    return change


@dataclass(frozen=True)
class Mutant:
    module: str  # dotted name of the module that defines the function
    function: str  # a top-level function of that module
    change: Change
    what: str  # for the report

    def apply(self, source: str, filename: str) -> ast.Module:
        tree = ast.parse(source, filename)
        funcs = [node for node in tree.body
                 if isinstance(node, ast.FunctionDef) and node.name == self.function]
        if len(funcs) != 1:
            raise LookupError(f"{self.module} has no top-level function {self.function}()")
        if not self.change(funcs[0]):
            raise LookupError(f"{self.function}() has nothing this change applies to")
        return ast.fix_missing_locations(tree)


# The three from issue #12, where the split booking service keeps them: book() and cancel()
# in booking/citizen.py, the per-pupil limit in booking/rules.py. When code moves, re-point
# `module` (and a renamed function or callee) to where it now lives.
MUTANTS = {
    "book_always_refuses": Mutant(
        "digihelse.booking.citizen", "book",
        replace_body("raise SlotUnavailable()"), "book() refuses every slot"),
    "cancel_does_nothing": Mutant(
        "digihelse.booking.citizen", "cancel",
        drop_calls("cancel_row"), "cancel() answers as usual but leaves the booking"),
    "limit_off_by_one": Mutant(
        "digihelse.booking.rules", "at_limit",
        swap_comparison(ast.GtE, ast.Gt), "the per-pupil limit lets one more through"),
}


class _MutantLoader(importlib.abc.Loader):
    def __init__(self, mutant: Mutant, origin: str) -> None:
        self.mutant, self.origin = mutant, origin

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> None:
        return None  # the default module object

    def exec_module(self, module: ModuleType) -> None:
        tree = self.mutant.apply(Path(self.origin).read_text(encoding="utf-8"), self.origin)
        module.__mutant__ = self.mutant  # type: ignore[attr-defined]
        exec(compile(tree, self.origin, "exec"), module.__dict__)  # noqa: S102


class _MutantFinder(importlib.abc.MetaPathFinder):
    """Finds the mutant's module where Python would, and loads it changed."""

    def __init__(self, mutant: Mutant) -> None:
        self.mutant = mutant

    def find_spec(self, name: str, path: Any, target: Any = None
                  ) -> importlib.machinery.ModuleSpec | None:
        if name != self.mutant.module:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
            return None
        return importlib.util.spec_from_file_location(
            name, spec.origin, loader=_MutantLoader(self.mutant, spec.origin))


# Enough examples that each mutant dies with this seed, and dies fast: the machine stops
# at the first failure (no shrinking), so a caught mutant costs a few examples only.
RUN = {"max_examples": 100, "stateful_step_count": 15}
SURVIVED, KILLED, BROKEN = 0, 1, 2


def run(name: str) -> int:
    mutant = MUTANTS[name]
    if any(m == mutant.module or m.startswith("digihelse.") for m in sys.modules):
        print(f"{mutant.module} was imported before the hook", file=sys.stderr)
        return BROKEN
    sys.meta_path.insert(0, _MutantFinder(mutant))
    try:
        target = importlib.import_module(mutant.module)
    except LookupError as exc:
        print(f"cannot apply {name}: {exc}", file=sys.stderr)
        return BROKEN
    assert getattr(target, "__mutant__", None) is mutant

    from hypothesis import HealthCheck, Phase, settings
    from hypothesis.stateful import run_state_machine_as_test

    from tests.booking_machine import BookingMachine

    try:
        run_state_machine_as_test(BookingMachine, settings=settings(
            derandomize=True, database=None, deadline=None, phases=[Phase.generate],
            report_multiple_bugs=False, suppress_health_check=list(HealthCheck), **RUN))
    except AssertionError:
        print(f"killed {name} ({mutant.what}):")
        traceback.print_exc(limit=-1, file=sys.stdout)
        return KILLED
    except Exception:  # a crash (a NameError in the mutant, say) proves nothing
        traceback.print_exc(file=sys.stderr)
        return BROKEN
    print(f"{name} survived: {mutant.what}")
    return SURVIVED


if __name__ == "__main__":
    sys.exit(run(sys.argv[1]))
