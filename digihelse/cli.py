"""Command line: `python -m digihelse.cli migrate|seed|bootstrap|verify-audit`,
`backup FILE` / `restore FILE` (an online, consistent copy of the database), and
`export-card FØDSELSNUMMER [FILE]` / `import-card FILE` (one woman's pregnancy card as a
Maternity Record JSON document, with its whole history: healthcard/maternity_record.py)."""

from __future__ import annotations

import argparse
import sys

from digihelse.core import db
from digihelse.core.settings import get_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="digihelse")
    parser.add_argument("command", choices=["migrate", "seed", "bootstrap", "verify-audit",
                                            "backup", "restore", "export-card",
                                            "import-card"],
                        help="bootstrap = migrate, then seed the demo data; "
                             "verify-audit = check the access log's hash chain; "
                             "backup FILE / restore FILE = copy the database out / back; "
                             "export-card FØDSELSNUMMER [FILE] / import-card FILE = one "
                             "woman's pregnancy card as a Maternity Record JSON document")
    parser.add_argument("file", nargs="?", help="the backup file (backup and restore), the "
                                                "woman's national id number (export-card), "
                                                "the document (import-card)")
    parser.add_argument("out", nargs="?", help="export-card: the file to write (default: "
                                               "standard output)")
    args = parser.parse_args(argv)
    if args.command in ("export-card", "import-card"):
        return _card_document(args.command, args.file, args.out)
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


def _card_document(command: str, arg: str | None, out: str | None) -> int:
    import json
    from pathlib import Path

    from digihelse.healthcard.errors import CardNotFound
    from digihelse.healthcard.maternity_record import (
        ImportRefused,
        export_for_operator,
        import_record,
    )

    if not arg:
        print("say which: python -m digihelse.cli export-card FØDSELSNUMMER [FILE] | "
              "import-card FILE", file=sys.stderr)
        return 2
    if command == "export-card":
        try:
            document = export_for_operator(db.get_engine(), arg)
        except CardNotFound:
            print("no active pregnancy card for that national id number", file=sys.stderr)
            return 1
        text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
        if out and out != "-":
            Path(out).write_text(text, encoding="utf-8")
            print(f"card written to {out} ({len(document['events'])} events)",
                  file=sys.stderr)
        else:
            sys.stdout.write(text)
        return 0
    try:
        document = json.loads(Path(arg).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        print(f"cannot read {arg}: {exc}", file=sys.stderr)
        return 2
    db.migrate()  # an empty database gets its tables first
    try:
        done = import_record(db.get_engine(), document)
    except ImportRefused as exc:
        print(f"import refused: {exc.message}", file=sys.stderr)
        return 1
    counts = ", ".join(f"{n} {entity}" for entity, n in sorted(done.items.items()))
    print(f"card imported for {done.woman_pid}: {counts or 'no items'}, {done.events} events"
          + (" (she was added to the registry)" if done.woman_created else ""))
    if done.unlinked_carers:
        print("carers not in this database, not linked (HPR): "
              + ", ".join(done.unlinked_carers))
    return 0


if __name__ == "__main__":
    sys.exit(main())
