"""Command line: `python -m digihelse.cli migrate|seed|bootstrap`."""

from __future__ import annotations

import argparse
import sys

from digihelse import db


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="digihelse")
    parser.add_argument("command", choices=["migrate", "seed", "bootstrap"],
                        help="bootstrap = migrate, then seed the demo data")
    args = parser.parse_args(argv)
    if args.command in ("migrate", "bootstrap"):
        db.migrate()
        print("database migrated")
    if args.command in ("seed", "bootstrap"):
        from digihelse.seed import seed

        with db.session() as s:
            persons = seed(s)
        print(f"demo data ready ({len(persons)} persons)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
