"""`make cluster` (digihelse_dev.cluster) as a user runs it: it starts PostgreSQL, Redis
and two workers in a fresh data folder and seeds the demo data. A booking made there is
still there after Ctrl-C and a second start, which seeds nothing again. Ctrl-C leaves no
server running."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest

from e2e.reflex_ws import login
from e2e.server import ROOT, free_port, server_env, wait_until_up

FHIR_JSON = {"Content-Type": "application/fhir+json", "Accept": "application/fhir+json"}


class Run:
    def __init__(self, data: Path, port: int, log: Path) -> None:
        env = server_env(port, data, {"REFLEX_WEB_WORKDIR": ".web-make-cluster",
                                      "GRANIAN_WORKERS": "2", "DIGIHELSE_SCHEDULER": "0"})
        env.pop("REFLEX_REDIS_URL", None)
        self.log = log
        with open(log, "w") as out:
            self.process = subprocess.Popen([sys.executable, "-m", "digihelse_dev.cluster"],
                                            cwd=ROOT, env=env, stdout=out,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        self.base_url = f"http://localhost:{port}"
        wait_until_up(f"{self.base_url}/healthz", self.process, 600, log)
        wait_until_up(f"{self.base_url}/", self.process, 600, log)

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def ports(self) -> tuple[int, int]:
        found = dict(re.findall(r"(PostgreSQL|Redis) on 127\.0\.0\.1:(\d+)", self.text()))
        return int(found["PostgreSQL"]), int(found["Redis"])

    def interrupt(self) -> int:
        """Ctrl-C, as the terminal sends it: SIGINT to the foreground process group."""
        os.killpg(self.process.pid, signal.SIGINT)
        return self.process.wait(timeout=90)


def _listening(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def data_dir():
    # As root, PostgreSQL runs as `postgres`, which must be able to enter the folder.
    folder = Path(tempfile.mkdtemp(prefix="digihelse-make-cluster-"))
    folder.chmod(0o755)
    yield folder
    subprocess.run(["rm", "-rf", str(folder)], check=False)


def test_make_cluster_starts_everything_and_keeps_the_data_over_a_restart(data_dir, tmp_path):
    port = free_port()
    first = Run(data_dir, port, tmp_path / "first.log")
    try:
        assert "demo data ready" in first.text()
        assert "with 2 workers" in first.text()
        ida = login(first.base_url, "Ida")
        school = ida.get("/fhir/R4/Location?name=ungdomsskole").json()["entry"][0]
        slots = ida.get("/fhir/R4/Slot?status=free&schedule.actor=Location/"
                        f"{school['resource']['id']}&_count=1").json()
        slot = slots["entry"][0]["resource"]["id"]
        me = ida.get("/fhir/R4/Patient").json()["entry"][0]["resource"]["id"]
        booked = ida.post("/fhir/R4/Appointment", headers=FHIR_JSON, json={
            "resourceType": "Appointment", "status": "booked",
            "identifier": [{"system": "urn:uuid:test", "value": "make-cluster-1"}],
            "slot": [{"reference": f"Slot/{slot}"}],
            "participant": [{"actor": {"reference": f"Patient/{me}"},
                             "status": "accepted"}]})
        assert booked.status_code == 201, booked.text
        appointment = booked.json()["id"]
        ida.close()
        pg_port, redis_port = first.ports()
    finally:
        code = first.interrupt()
    assert code == 0, first.text()[-2000:]
    assert "cluster stopped" in first.text()
    time.sleep(1)
    assert not _listening(port) and not _listening(pg_port) and not _listening(redis_port)
    assert (data_dir / "cluster" / "postgres" / "data" / "PG_VERSION").exists()

    second = Run(data_dir, port, tmp_path / "second.log")
    try:
        assert "demo data ready" not in second.text()  # seeded once, on the first start
        ida = login(second.base_url, "Ida")
        again = ida.get(f"/fhir/R4/Appointment/{appointment}")
        assert again.status_code == 200 and again.json()["status"] == "booked"
        ida.close()
        assert httpx.get(f"{second.base_url}/healthz").json()["database"] == "ok"
    finally:
        assert second.interrupt() == 0
