"""Command line: `python -m digihelse.cli migrate|seed|bootstrap|verify-audit`."""

from __future__ import annotations

import argparse
import sys

from digihelse.core import db
from digihelse.core.settings import get_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="digihelse")
    parser.add_argument("command", choices=["migrate", "seed", "bootstrap", "verify-audit"],
                        help="bootstrap = migrate, then seed the demo data; "
                             "verify-audit = check the access log's hash chain")
    args = parser.parse_args(argv)
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
        print(f"access log intact ({report.rows} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
