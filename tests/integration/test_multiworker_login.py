"""Any worker serves any hop of a login (issue #11, finding 5): the production server with
two Granian workers and Reflex's Redis state manager, on a throwaway SQLite database and a
throwaway `redis-server`, and a client that opens a new connection for every hop, so the
hops land on whichever worker the kernel hands the connection to.

20 citizens and 20 personnel log in; every login must succeed and prove its session on
the FHIR API, and the hops must have been served by both workers (the test providers and
the login routes name the serving process in X-Digihelse-Worker when DIGIHELSE_ENV=test)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest

from e2e.server import ROOT, free_port, server_env, wait_until_up

LOGINS = 20
WORKER_HEADER = "x-digihelse-worker"
SESSION_COOKIE = "digihelse_session"


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory) -> Iterator[str]:
    """A throwaway Redis on loopback, without persistence (Debian's redis-server)."""
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not Path(binary).exists():
        raise RuntimeError("redis-server is not installed: run `make redis`")
    port = free_port()
    folder = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(folder)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                import redis

                redis.Redis(port=port).ping()
                break
            except Exception:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@dataclass
class Server:
    base_url: str
    log_path: Path


@pytest.fixture(scope="module")
def server(redis_url: str, tmp_path_factory) -> Iterator[Server]:
    """`reflex run --env prod --backend-only` with GRANIAN_WORKERS=2: the login routes, the
    test providers and the API, which is all a login needs (no frontend build)."""
    data_dir = tmp_path_factory.mktemp("data")
    port = free_port()
    env = server_env(port, data_dir, {
        "REFLEX_REDIS_URL": redis_url,
        "GRANIAN_WORKERS": "2",
        "DIGIHELSE_SCHEDULER": "0",
        # rxconfig names a frontend port, which --backend-only refuses; 0 means none.
        "REFLEX_FRONTEND_PORT": "0",
    })
    subprocess.run([sys.executable, "-m", "digihelse.cli", "bootstrap"], cwd=ROOT, env=env,
                   check=True, capture_output=True)
    log_path = data_dir / "server.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "reflex"), "run", "--env", "prod",
             "--backend-only", "--backend-port", str(port), "--loglevel", "info"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base_url = f"http://localhost:{port}"
    try:
        wait_until_up(f"{base_url}/healthz", process, 300, log_path)
        yield Server(base_url, log_path)
    finally:
        import os

        if process.poll() is None:
            os.killpg(process.pid, 15)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, 9)


@dataclass
class Browser:
    """A cookie jar and nothing else: every request is a new client, a new TCP connection
    (Connection: close), so nothing ties one hop to the worker of the one before."""

    base_url: str
    cookies: httpx.Cookies = field(default_factory=httpx.Cookies)
    workers: list[str] = field(default_factory=list)

    def request(self, method: str, url: str, **kwargs) -> httpx.Response:
        with httpx.Client(base_url=self.base_url, cookies=self.cookies, timeout=60,
                          headers={"Connection": "close"},
                          limits=httpx.Limits(max_keepalive_connections=0)) as client:
            response = client.request(method, url, follow_redirects=False, **kwargs)
            self.cookies.update(client.cookies)
        if WORKER_HEADER in response.headers:
            self.workers.append(response.headers[WORKER_HEADER])
        return response


def _test_users(base_url: str, issuer: str) -> list[dict]:
    return httpx.get(f"{base_url}{issuer}/testusers", timeout=60).json()


def _login(base_url: str, pid: str, *, personnel: bool) -> tuple[str | None, Browser]:
    """The whole login as a browser takes it; returns None when it worked, else what went
    wrong, and the browser (for the workers that served it)."""
    browser = Browser(base_url)
    start = "/auth/personnel/login" if personnel else "/auth/login"
    to_provider = browser.request("GET", f"{start}?next=/hjem")
    if to_provider.status_code != 303:
        return f"login start answered {to_provider.status_code}", browser
    authorize = to_provider.headers["location"]
    page = browser.request("GET", authorize)
    match = re.search(r'name="request" value="([^"]+)"', page.text)
    if page.status_code != 200 or not match:
        return f"authorize answered {page.status_code}", browser
    form = {"request": match.group(1), "pid": pid}
    if not personnel:
        form["acr"] = "idporten-loa-substantial"
    to_callback = browser.request("POST", urljoin(authorize, urlsplit(authorize).path),
                                  data=form)
    if to_callback.status_code not in (302, 303):
        return f"the login form answered {to_callback.status_code}", browser
    callback = to_callback.headers["location"]
    if "code" not in parse_qs(urlsplit(callback).query):
        return f"the provider sent no code: {callback}", browser
    done = browser.request("GET", callback)
    if done.status_code != 303 or not browser.cookies.get(SESSION_COOKIE):
        failure = re.search(r'role="alert"><p>([^<]*)', done.text)
        return f"callback {done.status_code}: {failure.group(1) if failure else ''}", browser
    if done.headers["location"] != "/hjem":
        return f"callback sent the user to {done.headers['location']}", browser
    # The session works on another hop, on whichever worker takes it.
    patients = browser.request("GET", "/fhir/R4/Patient")
    if patients.status_code != 200:
        return f"the API answered {patients.status_code} with the session", browser
    if not personnel and pid not in patients.text:
        return "the API does not know the citizen who logged in", browser
    return None, browser


def _run_logins(server: Server, *, personnel: bool) -> tuple[list[str], list[Browser]]:
    users = _test_users(server.base_url, "/helseid" if personnel else "/idp")
    failures, browsers = [], []
    for i in range(LOGINS):
        failure, browser = _login(server.base_url, users[i % len(users)]["pid"],
                                  personnel=personnel)
        browsers.append(browser)
        if failure:
            failures.append(failure)
    return failures, browsers


def _assert_both_workers(browsers: list[Browser]) -> None:
    served = Counter(worker for b in browsers for worker in b.workers)
    assert len(served) == 2, f"hops were served by {dict(served)}, not by two workers"
    mixed = sum(1 for b in browsers if len(set(b.workers)) > 1)
    assert mixed > 0, "no login had its hops on more than one worker"
    print(f"hops per worker: {dict(served)}; logins spread over both: {mixed}/{len(browsers)}")


@pytest.mark.parametrize("personnel", [False, True], ids=["citizen", "personnel"])
def test_every_login_succeeds_whichever_worker_serves_each_hop(server: Server,
                                                               personnel: bool) -> None:
    failures, browsers = _run_logins(server, personnel=personnel)
    succeeded = LOGINS - len(failures)
    print(f"{'personnel' if personnel else 'citizen'}: {succeeded} of {LOGINS} logins "
          f"succeeded; failures: {Counter(failures).most_common(3)}")
    assert succeeded == LOGINS, f"{succeeded} of {LOGINS}: {Counter(failures).most_common(3)}"
    _assert_both_workers(browsers)
