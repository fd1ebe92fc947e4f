"""Whether the server gives visitor tabs' memory back: rounds of 200 websocket tabs that
only hydrate and close, with the server's RSS growth after each round, for a short tab
life and beside it for Reflex's own (one hour, the floor this work improves on).

Usage: python bench/forgotten_tabs.py [ROUNDS]   (starts its own production servers)"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from e2e.server import start_server, stop_server
from e2e.tabs import Tab

TABS_PER_ROUND, AT_ONCE = 200, 20


def rss_mb(group: int) -> float:
    """Resident memory of every process of the server (its process group)."""
    total_kb = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if os.getpgid(int(pid)) != group:
                continue
            with open(f"/proc/{pid}/status") as status:
                total_kb += next(int(line.split()[1]) for line in status
                                 if line.startswith("VmRSS:"))
        except (OSError, StopIteration):
            continue
    return total_kb / 1024


def growth_per_round(life_seconds: int, rounds: int) -> list[float]:
    log_dir = Path(tempfile.mkdtemp(prefix="digihelse-bench-"))
    server = start_server(log_dir, log_dir, extra_env={
        "REFLEX_WEB_WORKDIR": ".web-bench", "DIGIHELSE_SCHEDULER": "0",
        "DIGIHELSE_ANON_TAB_SECONDS": str(life_seconds),
        "DIGIHELSE_MAX_SOCKETS_PER_ADDRESS": str(AT_ONCE)})
    try:
        group = os.getpgid(server.process.pid)
        Tab(server.base_url).connect().close()  # warm up
        time.sleep(3)
        before, figures = rss_mb(group), []
        for _ in range(rounds):
            for _batch in range(TABS_PER_ROUND // AT_ONCE):
                tabs = [Tab(server.base_url).connect() for _tab in range(AT_ONCE)]
                for tab in tabs:
                    tab.close()
            time.sleep(5)
            figures.append(rss_mb(group) - before)
        return figures
    finally:
        stop_server(server)


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    for life, label in ((2, "tab life 2 s      "), (3600, "Reflex's 1 h (floor)")):
        figures = growth_per_round(life, rounds)
        print(f"{label}: RSS growth after each {TABS_PER_ROUND} tabs: "
              + ", ".join(f"+{mb:.1f}" for mb in figures) + " MB")


if __name__ == "__main__":
    main()
