"""Lighthouse on the phone: layout shift and performance of the logged-in pages.

    .venv/bin/python bench/lighthouse.py [--runs 3] [--base-url URL]

Starts our production server on a throwaway database (or uses --base-url) and, as the floor,
the bare Reflex counter app in bench/counter/. Logs in over HTTP as a browser would (Ida for
/hjem, /bestill, /timer and /innsyn, Nora for /helsekort, Kari and Lise for the personnel
pages), puts the session cookie into Debian's Chromium
and runs Lighthouse's mobile profile (simulated throttling, the default) against that
browser, keeping its cookies (`--disable-storage-reset`). Prints, per page, the median over
the runs of the cumulative layout shift and the performance score, beside the counter's.
Issue #13's targets: CLS <= 0.1 and performance >= 90 on every page.

Lighthouse comes from the npm registry (pinned below) into .tools/, as bun does.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from playwright.sync_api import sync_playwright  # noqa: E402
from tabs import start_counter  # noqa: E402

from e2e.reflex_client import login_cookie  # noqa: E402
from e2e.server import free_port, start_server, stop_server  # noqa: E402

LIGHTHOUSE_VERSION = "12.8.2"
TOOLS = ROOT / ".tools"
LIGHTHOUSE = TOOLS / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--headless=new"]
CLS_TARGET = 0.1
PERFORMANCE_TARGET = 90

PAGES = [("/", ""), ("/hjem/", "Ida"), ("/bestill/", "Ida"), ("/timer/", "Ida"),
         ("/innsyn/", "Ida"), ("/helsekort/", "Nora"), ("/personell/", "Kari"),
         ("/personell/timeplan/", "Kari"), ("/personell/uke/", "Kari"),
         ("/personell/gravide/", "Lise")]
PERSONNEL = {"Kari", "Lise"}  # they log in through the HelseID-like provider


@dataclass
class Score:
    cls: float
    performance: int
    lcp_ms: float
    tbt_ms: float


def install_lighthouse() -> None:
    if LIGHTHOUSE.exists():
        return
    print(f"installing lighthouse@{LIGHTHOUSE_VERSION} into .tools/ …", flush=True)
    subprocess.run(["npm", "install", "--prefix", str(TOOLS), "--no-audit", "--no-fund",
                    "--loglevel=error", f"lighthouse@{LIGHTHOUSE_VERSION}"], check=True)


def cookies_for(base_url: str, given_name: str) -> list[dict]:
    """The session cookie of a fresh login, in Playwright's shape."""
    header = login_cookie(base_url, given_name, personnel=given_name in PERSONNEL)
    jar = SimpleCookie()
    jar.load(header)
    host = urlsplit(base_url).hostname
    return [{"name": name, "value": morsel.value, "domain": host, "path": "/",
             "httpOnly": True, "sameSite": "Lax"} for name, morsel in jar.items()]


def run_lighthouse(url: str, debug_port: int, work: Path) -> Score:
    report = work / "report.json"
    subprocess.run(
        [str(LIGHTHOUSE), url, f"--port={debug_port}", "--disable-storage-reset",
         "--only-categories=performance", "--output=json", f"--output-path={report}",
         "--quiet", "--max-wait-for-load=60000"],
        check=True, cwd=work)
    data = json.loads(report.read_text())
    audits = data["audits"]
    return Score(cls=audits["cumulative-layout-shift"]["numericValue"],
                 performance=round(data["categories"]["performance"]["score"] * 100),
                 lcp_ms=audits["largest-contentful-paint"]["numericValue"],
                 tbt_ms=audits["total-blocking-time"]["numericValue"])


def measure(base_url: str, pages: list[tuple[str, str]], runs: int, work: Path) -> dict:
    """Median scores per page; each person's pages share one logged-in browser."""
    results: dict[str, Score] = {}
    people = sorted({person for _, person in pages})
    with sync_playwright() as p:
        for person in people:
            debug_port = free_port()
            profile = work / f"profile-{person or 'nobody'}"
            context = p.chromium.launch_persistent_context(
                str(profile), executable_path=CHROMIUM,
                args=[*CHROMIUM_ARGS, f"--remote-debugging-port={debug_port}"])
            try:
                if person:
                    context.add_cookies(cookies_for(base_url, person))
                for path, who in pages:
                    if who != person:
                        continue
                    scores = [run_lighthouse(base_url + path, debug_port, work)
                              for _ in range(runs)]
                    results[path] = Score(
                        cls=statistics.median(s.cls for s in scores),
                        performance=round(statistics.median(s.performance for s in scores)),
                        lcp_ms=statistics.median(s.lcp_ms for s in scores),
                        tbt_ms=statistics.median(s.tbt_ms for s in scores))
                    print(f"  {path}: {results[path]}", flush=True)
            finally:
                context.close()
    return results


def table(ours: dict[str, Score], floor: Score, runs: int) -> str:
    lines = [f"Lighthouse {LIGHTHOUSE_VERSION}, mobile profile, median of {runs} run(s)",
             "",
             "| page | CLS | performance | LCP | TBT | targets (CLS ≤ 0.1, perf ≥ 90) |",
             "|---|---|---|---|---|---|"]

    def row(label: str, s: Score, verdict: str) -> str:
        return (f"| {label} | {s.cls:.3f} | {s.performance} | {s.lcp_ms / 1000:.1f} s | "
                f"{s.tbt_ms:.0f} ms | {verdict} |")

    for path, score in ours.items():
        met = score.cls <= CLS_TARGET and score.performance >= PERFORMANCE_TARGET
        lines.append(row(path, score, "met" if met else "NOT met"))
    lines.append(row("counter / (the floor)", floor, "—"))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--base-url", help="an app already running (else one is started)")
    args = parser.parse_args()
    install_lighthouse()
    with tempfile.TemporaryDirectory(prefix="lighthouse-") as tmp:
        work = Path(tmp)
        (work / "ours").mkdir()
        server = None if args.base_url else start_server(work / "ours", work)
        counter = start_counter(work, {})
        try:
            base_url = args.base_url or server.base_url
            print(f"ours: {base_url}, counter: {counter.base_url}", flush=True)
            floor = measure(counter.base_url, [("/", "")], args.runs, work)["/"]
            ours = measure(base_url, PAGES, args.runs, work)
        finally:
            stop_server(counter)
            if server is not None:
                stop_server(server)
    print()
    print(table(ours, floor, args.runs))


if __name__ == "__main__":
    main()
