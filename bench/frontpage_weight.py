"""How many kilobytes of JavaScript and CSS the front page loads, raw and gzipped.

Usage: python bench/frontpage_weight.py [BASE_URL]   (default http://localhost:8000)
Start the app first (`make run`)."""

from __future__ import annotations

import gzip
import sys

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def measure(base_url: str, path: str = "/") -> dict[str, tuple[int, int]]:
    totals = {"script": [0, 0], "stylesheet": [0, 0]}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 390, "height": 844})
        responses = []
        page.on("response", lambda response: responses.append(response))
        page.goto(base_url + path)
        page.wait_for_load_state("networkidle")
        for response in responses:
            kind = response.request.resource_type
            if kind in totals and response.ok:
                body = response.body()
                totals[kind][0] += len(body)
                totals[kind][1] += len(gzip.compress(body, 9))
        browser.close()
    return {kind: (raw, zipped) for kind, (raw, zipped) in totals.items()}


def main() -> None:
    base_url = sys.argv[1] if len(sys.argv) > 1 else "http://localhost:8000"
    for kind, (raw, zipped) in measure(base_url).items():
        label = "JS " if kind == "script" else "CSS"
        print(f"{label}: {raw / 1024:7.1f} KB raw, {zipped / 1024:6.1f} KB gzipped")


if __name__ == "__main__":
    main()
