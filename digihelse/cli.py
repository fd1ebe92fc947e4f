"""Command line: `python -m digihelse.cli migrate|seed|bootstrap|verify-audit`, and
`backup FILE` / `restore FILE` (an online, consistent copy of the database)."""

from __future__ import annotations

import argparse
import sys

from digihelse.core import db
from digihelse.core.settings import get_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="digihelse")
    parser.add_argument("command", choices=["migrate", "seed", "bootstrap", "verify-audit",
                                            "backup", "restore"],
                        help="bootstrap = migrate, then seed the demo data; "
                             "verify-audit = check the access log's hash chain; "
                             "backup FILE / restore FILE = copy the database out / back")
    parser.add_argument("file", nargs="?", help="the backup file (backup and restore)")
    args = parser.parse_args(argv)
    if args.command in ("backup", "restore"):
        return _backup_or_restore(args.command, args.file)
    if args.command in ("migrate", "bootstrap"):
        db.migrate()
        print("database migrated")
    if args.command in ("seed", "bootstrap"):
        if get_settings().is_production:
            # The demo data comes with the dev tools (digihelse_dev), never in production.
            print("no demo data in production (DIGIHELSE_ENV=production)")
            return 0 if args.command == "bootstrap" else 2
        from digihelse_dev.seed import seed, seed_demo_activity

        with db.session() as s:
            persons = seed(s)
            seed_demo_activity(s)
        print(f"demo data ready ({len(persons)} persons)")
    if args.command == "verify-audit":
        from digihelse.audit.log import verify

        with db.session() as s:
            report = verify(s)
        if not report.ok:
            print(f"access log BROKEN at row {report.first_bad_id}: {report.problem}")
            return 1
        from digihelse.audit.log import checkpoint

        with db.write_session() as s:  # what was verified is signed for the next check
            checkpoint(s)
        print(f"access log intact ({report.rows} rows)")
    return 0


def _backup_or_restore(command: str, file: str | None) -> int:
    from pathlib import Path

    from digihelse.core import backup

    if not file:
        print(f"say where: python -m digihelse.cli {command} FILE")
        return 2
    url = get_settings().database_url
    if command == "backup":
        backup.backup(url, Path(file))
        print(f"backup written to {file}")
        return 0
    done = backup.restore(url, Path(file))
    state = "intact" if done.log_ok else "BROKEN"
    print(f"restored: {done.bookings} bookings; access log {state} ({done.log_rows} rows)")
    return 0 if done.log_ok else 1


if __name__ == "__main__":
    sys.exit(main())
