"""What one browser tab costs: bytes on the websocket, state stored, server memory.

    .venv/bin/python bench/tabs.py [--clients 150]

Starts our production server on a throwaway database and, as the floor, the bare Reflex
counter app in bench/counter/, each twice: with the memory state manager (hydration,
navigation, memory) and with Redis (what the state manager stores per tab; skipped when
Debian's redis-server is missing). It logs in over HTTP (Ida for /bestill, Nora Lie for
/helsekort) and then speaks Reflex's websocket protocol as the browser does
(e2e/reflex_client.py). Figures, per page:

- hydration: UTF-8 bytes of every message the server sends a new tab, from the connect
  until its on_load chain has finished (`is_hydrated`).
- stored state: bytes the Redis state manager holds for the tab's token afterwards (the
  pickled substates Reflex writes; it writes only those the tab touched).
- tab state: the state the browser holds afterwards, as compact JSON: the compiled
  defaults of every state with every delta applied.
- navigation: bytes the server sends when the tab goes to another page and comes back
  (client-side, `on_load_internal`), and how many of the vars it sent held the value the
  tab already had. Texts re-sent: whether any message carried the UI's words.
- memory/client: growth of the server's resident memory (the process tree's RSS) with
  N more hydrated, connected tabs, divided by N.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from e2e.reflex_client import (  # noqa: E402
    CompiledApp,
    ReflexTab,
    login_cookie,
    unchanged_vars,
)
from e2e.server import (  # noqa: E402
    RunningServer,
    free_port,
    server_env,
    start_server,
    stop_server,
    wait_until_up,
)

COUNTER_DIR = ROOT / "bench" / "counter"


@dataclass(frozen=True)
class Page:
    label: str
    path: str  # as the browser first loads it (the server adds the slash)
    person: str  # who logs in ("" for nobody)
    away: str  # where a client-side navigation goes and comes back from


OUR_PAGES = [Page("/bestill (Ida)", "/bestill/", "Ida", "/hjem"),
             Page("/helsekort (Nora)", "/helsekort/", "Nora", "/hjem")]
COUNTER_PAGE = Page("counter /", "/", "", "/other")


@dataclass
class Figures:
    hydration: int = 0
    stored: int | None = None
    tab_state: int = 0
    navigation: int = 0
    unchanged: int = 0
    texts_resent: bool = False
    memory: float = 0.0


# --- servers --------------------------------------------------------------------------

def start_counter(log_dir: Path, extra: dict[str, str], timeout: float = 900) -> RunningServer:
    port = free_port()
    env = server_env(port, log_dir, extra)
    log_path = log_dir / "counter.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "reflex"), "run", "--env", "prod",
             "--single-port", "--backend-port", str(port), "--loglevel", "info"],
            cwd=COUNTER_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
    server = RunningServer(f"http://localhost:{port}", log_dir, process, log_path)
    try:
        wait_until_up(f"{server.base_url}/", process, timeout, log_path)
    except BaseException:
        stop_server(server)
        raise
    return server


@contextmanager
def redis_server():
    """A throwaway Redis on loopback, or None when Debian's redis-server is missing."""
    binary = shutil.which("redis-server")
    if binary is None:
        yield None
        return
    port = free_port()
    process = subprocess.Popen([binary, "--port", str(port), "--save", "",
                                "--appendonly", "no", "--bind", "127.0.0.1"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def redis_bytes(port: int, token: str) -> int:
    """The bytes Redis holds under the keys of one tab token."""
    def cli(*args: str) -> list[str]:
        out = subprocess.run(["redis-cli", "-p", str(port), *args], check=True,
                             capture_output=True, text=True).stdout
        return out.split()

    return sum(int(cli("STRLEN", key)[0]) for key in cli("--scan", "--pattern", f"{token}*"))


def tree_rss_kib(pid: int) -> int:
    """Resident memory of a process and all its descendants, in KiB."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo += children.get(current, [])
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


# --- one tab --------------------------------------------------------------------------

async def measure_wire(base_url: str, app: CompiledApp, page: Page, cookie: str,
                       words: list[str]) -> Figures:
    figures = Figures()
    tab = ReflexTab(base_url, app, cookie)
    try:
        hydrate = await tab.open(page.path)
        figures.hydration, figures.tab_state = hydrate.bytes, tab.state_bytes()
        away = await tab.navigate(page.away)
        before = {state: dict(values) for state, values in tab.state.items()}
        back = await tab.navigate(page.path.rstrip("/") or "/")
        figures.navigation = back.bytes
        figures.unchanged = unchanged_vars(before, back)
        figures.texts_resent = any(word in message for exchange in (away, back)
                                   for message in exchange.messages for word in words)
    finally:
        await tab.close()
    return figures


async def measure_stored(base_url: str, app: CompiledApp, page: Page, cookie: str,
                         redis_port: int) -> int:
    tab = ReflexTab(base_url, app, cookie)
    try:
        await tab.open(page.path)
        await asyncio.sleep(0.5)  # the state is written when the event's lock is released
        return redis_bytes(redis_port, tab.token)
    finally:
        await tab.close()


async def measure_memory(server: RunningServer, app: CompiledApp, page: Page, cookie: str,
                         clients: int) -> float:
    """KiB of server memory per further hydrated tab that stays connected."""
    tabs: list[ReflexTab] = []
    limit = asyncio.Semaphore(8)

    async def one() -> None:
        async with limit:
            tab = ReflexTab(server.base_url, app, cookie)
            await tab.open(page.path, timeout=120)
            tabs.append(tab)

    try:
        await asyncio.gather(*(one() for _ in range(20)))  # warm the caches first
        await asyncio.sleep(2)
        before = tree_rss_kib(server.process.pid)
        await asyncio.gather(*(one() for _ in range(clients)))
        await asyncio.sleep(2)
        after = tree_rss_kib(server.process.pid)
    finally:
        await asyncio.gather(*(tab.close() for tab in tabs), return_exceptions=True)
    return (after - before) / clients


# --- runs -----------------------------------------------------------------------------

def our_words() -> list[str]:
    """Long UI texts in every language: any of them on the websocket means texts went out
    as state. (Short ones such as "Hjem" could be data.)"""
    from digihelse.core.i18n import LANGS, TEXTS

    return [TEXTS[key][lang] for key in ("shell.skip", "book.no_times", "front.intro")
            for lang in LANGS]


def run_ours(work: Path, clients: int, redis_port: int | None) -> dict[str, Figures]:
    """Each page on a server of its own, so one page's heap does not lend to the next."""
    results = {}
    for number, page in enumerate(OUR_PAGES):
        data = work / f"ours-{number}"
        data.mkdir()
        # All the tabs come from one address: lift the per-address socket cap for the run.
        server = start_server_with(data, {"DIGIHELSE_MAX_SOCKETS_PER_ADDRESS": str(clients + 100)})
        try:
            app = CompiledApp.read(ROOT / ".web")
            cookie = login_cookie(server.base_url, page.person)
            figures = asyncio.run(measure_wire(server.base_url, app, page, cookie,
                                               our_words()))
            figures.memory = asyncio.run(measure_memory(server, app, page, cookie, clients))
            results[page.label] = figures
        finally:
            stop_server(server)
    if redis_port is not None:
        data = work / "ours-redis"
        data.mkdir()
        server = start_server_with(data, {"REFLEX_REDIS_URL": f"redis://127.0.0.1:{redis_port}",
                                          "GRANIAN_WORKERS": "1", "DIGIHELSE_SCHEDULER": "0"})
        try:
            app = CompiledApp.read(ROOT / ".web")
            for page in OUR_PAGES:
                cookie = login_cookie(server.base_url, page.person)
                results[page.label].stored = asyncio.run(
                    measure_stored(server.base_url, app, page, cookie, redis_port))
        finally:
            stop_server(server)
    return results


def start_server_with(data_dir: Path, extra: dict[str, str]) -> RunningServer:
    """e2e's start_server, with more environment (Redis) for this run only."""
    saved = {name: os.environ.get(name) for name in extra}
    os.environ.update(extra)
    try:
        return start_server(data_dir, data_dir)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def run_counter(work: Path, clients: int, redis_port: int | None) -> Figures:
    logs = work / "counter"
    logs.mkdir()
    server = start_counter(logs, {})
    try:
        app = CompiledApp.read(COUNTER_DIR / ".web")
        figures = asyncio.run(measure_wire(server.base_url, app, COUNTER_PAGE, "", []))
        figures.memory = asyncio.run(measure_memory(server, app, COUNTER_PAGE, "", clients))
    finally:
        stop_server(server)
    if redis_port is not None:
        server = start_counter(logs, {"REFLEX_REDIS_URL": f"redis://127.0.0.1:{redis_port}",
                                      "GRANIAN_WORKERS": "1"})
        try:
            app = CompiledApp.read(COUNTER_DIR / ".web")
            figures.stored = asyncio.run(
                measure_stored(server.base_url, app, COUNTER_PAGE, "", redis_port))
        finally:
            stop_server(server)
    return figures


def kb(value: float | None) -> str:
    return "–" if value is None else f"{value / 1000:.1f} KB"


def table(ours: dict[str, Figures], counter: Figures, clients: int) -> str:
    head = ("| Page | Hydration | Stored state | Tab state | Navigation (unchanged vars, "
            f"texts) | Memory/client (N={clients}) |")
    lines = [head, "|" + "---|" * 6]

    def row(label: str, f: Figures) -> str:
        return (f"| {label} | {kb(f.hydration)} | {kb(f.stored)} | {kb(f.tab_state)} | "
                f"{kb(f.navigation)} ({f.unchanged}, {'yes' if f.texts_resent else 'no'}) | "
                f"{f.memory:.0f} KiB |")

    def ratio(a: float | None, b: float | None) -> str:
        return "–" if a is None or not b else f"{a / b:.2f}×"

    for label, f in ours.items():
        lines.append(row(label, f))
        lines.append(f"| ÷ counter | {ratio(f.hydration, counter.hydration)} | "
                     f"{ratio(f.stored, counter.stored)} | "
                     f"{ratio(f.tab_state, counter.tab_state)} | "
                     f"{ratio(f.navigation, counter.navigation)} | "
                     f"{ratio(f.memory, counter.memory)} |")
    lines.append(row(COUNTER_PAGE.label, counter))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=150,
                        help="tabs to open for the memory figure (default 150)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="digihelse-tabs-") as tmp, redis_server() as redis:
        work = Path(tmp)
        counter = run_counter(work, args.clients, redis)
        ours = run_ours(work, args.clients, redis)
    print(table(ours, counter, args.clients))
    if redis is None:
        print("(stored state skipped: redis-server is not installed)")


if __name__ == "__main__":
    main()
