"""`python -m digihelse.serve run --env prod ...`: `reflex run`, except that Granian
respawns a worker that dies. Reflex's production server builds Granian without
`respawn_failed_workers`, so one worker killed (OOM, kill -9) stops the whole server;
with several workers the others should keep serving while the dead one comes back."""

from __future__ import annotations

import sys


def respawning_granian() -> None:
    """Make Granian's server class respawn failed workers (Reflex imports the class when it
    starts the backend, after this has run). A worker that dies again within Granian's
    crash-loop window still stops the server."""
    import granian.server

    base = granian.server.Server
    if getattr(base, "_digihelse_respawns", False):
        return

    class Respawning(base):  # type: ignore[misc, valid-type]
        _digihelse_respawns = True

        def __init__(self, *args, **kwargs) -> None:
            kwargs.setdefault("respawn_failed_workers", True)
            kwargs.setdefault("respawn_interval", 1.0)
            super().__init__(*args, **kwargs)

    granian.server.Server = Respawning


def main(argv: list[str] | None = None) -> None:
    respawning_granian()
    from reflex.reflex import cli

    cli(args=argv if argv is not None else sys.argv[1:], prog_name="reflex")


if __name__ == "__main__":
    main()
