"""End-to-end fixtures: one production server per session, Debian's Chromium driven by
Playwright on a phone-sized viewport, a screenshot of every failure, and axe-core."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from e2e.server import RunningServer, start_server, stop_server

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
    "locale": "nb-NO",
    "timezone_id": "Europe/Oslo",
}


# Measured on the demo data as seeded, before other journeys add check-ups to the cards.
RUN_FIRST = ("test_lean_tabs.py",)


def pytest_configure(config):
    # Tests that append to the server's access log directly key it as the server does.
    import os

    from e2e.server import E2E_AUDIT_KEY

    os.environ.setdefault("DIGIHELSE_AUDIT_KEY", E2E_AUDIT_KEY)


def pytest_collection_modifyitems(items):
    for item in items:
        if "e2e" in item.nodeid.split("/")[0]:
            item.add_marker(pytest.mark.e2e)
    items.sort(key=lambda item: item.nodeid.split("::")[0].rsplit("/", 1)[-1] not in RUN_FIRST)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Iterator[RunningServer]:
    ARTIFACTS.mkdir(exist_ok=True)
    data_dir = tmp_path_factory.mktemp("digihelse-data")
    running = start_server(data_dir, ARTIFACTS)
    yield running
    stop_server(running)


@pytest.fixture(scope="session")
def base_url(server: RunningServer) -> str:
    return server.base_url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test`, which installs Debian's Chromium")
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run",
                  "--disable-quic"],
        )
        yield b
        b.close()


@pytest.fixture
def context(browser: Browser, base_url: str) -> Iterator[BrowserContext]:
    ctx = browser.new_context(base_url=base_url, **PHONE)
    ctx.set_default_timeout(20_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext, request) -> Iterator[Page]:
    pg = context.new_page()
    yield pg
    failed = any(getattr(request.node, f"rep_{when}", None) and
                 getattr(request.node, f"rep_{when}").failed for when in ("setup", "call"))
    if failed:
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)[-120:]
        try:
            pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        except Exception as exc:  # a closed page must not hide the real failure
            print(f"could not save a screenshot: {exc}")


@pytest.fixture(scope="session", autouse=True)
def _clean_artifacts():
    if ARTIFACTS.exists():
        for png in ARTIFACTS.glob("*.png"):
            png.unlink()
    ARTIFACTS.mkdir(exist_ok=True)
    yield
    if not any(ARTIFACTS.iterdir()):
        shutil.rmtree(ARTIFACTS, ignore_errors=True)


@pytest.fixture
def hanne_as_seeded(server: RunningServer) -> Iterator[None]:
    """Hanne, the card journeys' test pregnancy, as seeded before and after the test:
    no card, no standing consent (card_steps.remove_hannes_cards)."""
    from e2e.card_steps import remove_hannes_cards  # here: card_steps imports this module

    remove_hannes_cards(server.database_path)
    yield
    remove_hannes_cards(server.database_path)
