"""A throwaway Redis server for the tests that run DigiHelse scaled out: Debian's
`redis-server` (`make redis` installs it) on a free loopback port, nothing saved to disk
(digihelse_dev.servers.Redis, the one copy `make cluster` uses too)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from digihelse_dev.servers import Redis


class RedisServer(Redis):
    def __init__(self) -> None:
        super().__init__(Path(tempfile.mkdtemp(prefix="digihelse-redis-")))

    def stop(self) -> None:
        super().stop()
        shutil.rmtree(self.folder, ignore_errors=True)
