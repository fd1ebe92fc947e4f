"""The booking state machine is stronger than its count: each mutant of the booking
service in tests/mutation.py (book always refuses, cancel does nothing, the per-pupil limit
off by one) fails it. Each runs in a process of its own, from a mutated copy compiled in
memory; the module on disk is never changed."""

from __future__ import annotations

import ast
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.mutation import KILLED, MUTANTS, Mutant, replace_body, swap_comparison

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_the_state_machine_kills_the_mutant(name):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
    run = subprocess.run([sys.executable, "-m", "tests.mutation", name], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == KILLED, run.stdout[-3000:] + run.stderr[-3000:]
    assert run.stdout.startswith(f"killed {name}"), run.stdout[-3000:]


def test_a_mutant_is_made_in_memory_and_must_fit():
    # The real module stays as it is on disk; a mutant whose function or target is gone
    # (code moved: re-point MUTANTS) is refused rather than run unchanged.
    mutant = MUTANTS["limit_off_by_one"]
    path = Path(importlib.util.find_spec(mutant.module).origin)
    before = path.read_bytes()
    changed = mutant.apply(before.decode(), str(path))
    assert path.read_bytes() == before
    assert ast.dump(changed) != ast.dump(ast.parse(before))
    with pytest.raises(LookupError):
        Mutant(mutant.module, "no_such_function", replace_body("pass"), "").apply(
            before.decode(), str(path))
    with pytest.raises(LookupError):
        Mutant(mutant.module, mutant.function, swap_comparison(ast.In, ast.NotIn), "").apply(
            before.decode(), str(path))
