"""`playbook run` and `playbook validate`: the command line. No traceback reaches the user."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

from playbook.data import DataError
from playbook.data.locate import resolve_data_dir
from playbook.runner import stop
from playbook.runner.params import Params, ParamsError
from playbook.runner.stop import stop_requests

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="playbook",
        description="When and how to add top-down sales to a product-led company, from its own data.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="run the notebooks and write a new run folder")
    run.add_argument(
        "--data",
        metavar="DIR|source.yaml",
        help="the company's exports, or a source.yaml placing them on an engine "
        "(default: the 'ready' sample)",
    )
    run.add_argument("--params", metavar="FILE.yaml", help="parameters (see params.example.yaml)")
    run.add_argument("--out", metavar="DIR", help="where run folders go (default: reports/)")
    run.add_argument(
        "--previous",
        metavar="RUN",
        help="the earlier run folder the board pack compares with (default: the last run of the same data)",
    )
    run.add_argument("--only", metavar="NAME", action="append", help="run only this notebook (repeatable)")
    run.add_argument("--jobs", type=int, default=None, help="notebooks at once (default: cores + 1)")
    run.add_argument("--cell-timeout", type=int, default=600, metavar="S", help="seconds per cell")
    run.add_argument("--run-timeout", type=int, default=1800, metavar="S", help="seconds for the whole run")

    commands.add_parser("params", help="print an annotated parameters file with every default")

    diff = commands.add_parser("diff", help="what changed between two run folders")
    diff.add_argument("run_a", metavar="RUN_A", help="the earlier run folder")
    diff.add_argument("run_b", metavar="RUN_B", help="the later run folder")

    imp = commands.add_parser(
        "import",
        help="turn a billing, CRM, analytics or ATS export into contract tables",
        description="Read a vendor's export as downloaded and write the data contract's tables into DIR "
        "(merged by key with what is there; never overwritten without --force). docs/imports.md says, "
        "per export, what is read, what is assumed and what is set aside.",
    )
    imp.add_argument("vendor", metavar="VENDOR", help="the export, one of: " + ", ".join(_vendors()))
    imp.add_argument("files", metavar="FILE", nargs="+", help="the export file(s)")
    imp.add_argument("--to", metavar="DIR", required=True, help="the data folder to write into")
    imp.add_argument("--force", action="store_true", help="let the import's values win over the folder's")
    imp.add_argument(
        "--map", metavar="FIELD=COLUMN", action="append", default=[], help="read FIELD from your COLUMN"
    )
    imp.add_argument(
        "--stages", metavar="FILE.yaml", type=Path, help="your deal stages: {label: won|lost|open}"
    )
    imp.add_argument(
        "--account-map", metavar="FILE", type=Path, help="the id crosswalk (default: DIR/account_map.csv)"
    )
    imp.add_argument("--currency", default="USD", help="the currency amounts are written in (default USD)")
    imp.add_argument("--fx-rates", metavar="FILE", type=Path, help="month, currency, rate (target per unit)")
    imp.add_argument(
        "--from", dest="first_month", metavar="YYYY-MM", help="first month of arr_monthly to write"
    )
    imp.add_argument(
        "--through", metavar="YYYY-MM", help="last month of arr_monthly (default: the month of the export)"
    )
    imp.add_argument(
        "--exported-on",
        metavar="YYYY-MM-DD",
        help="when the billing export was downloaded (default: its latest timestamp); nothing later is ARR",
    )
    imp.add_argument(
        "--group", metavar="NAME", help="analytics group type or property that names the account"
    )
    imp.add_argument(
        "--date-format", metavar="FMT", help="strptime format of the export's dates, e.g. %%m/%%d/%%Y"
    )
    imp.add_argument(
        "--decimal",
        choices=(".", ","),
        metavar="MARK",
        help="the decimal mark (. or ,) when a column's numbers read two ways ('1,188'); "
        "the import's csv: {decimal: ...}",
    )
    imp.add_argument(
        "--amounts", choices=("cents", "units"), help="billing amounts in minor units or currency units"
    )
    imp.add_argument(
        "--attributes",
        metavar="FILE.yaml",
        type=Path,
        help="ATS: your focus attributes or form fields -> the four leader attributes",
    )

    validate = commands.add_parser("validate", help="check a data folder against the data contract")
    validate.add_argument("--data", metavar="DIR|source.yaml", help="the company's exports or source.yaml")
    validate.add_argument("--as-of", metavar="DATE", help="analysis date (default: end of arr_monthly)")
    return parser


def _run(args) -> int:
    from playbook.runner.results import SECTIONS
    from playbook.runner.run import run_playbook  # heavy imports only when running

    params = Params.from_yaml(args.params)
    result = run_playbook(
        args.data,
        params=params,
        out_dir=args.out,
        only=args.only,
        previous=args.previous,
        **({} if args.jobs is None else {"jobs": max(1, args.jobs)}),
        cell_timeout=args.cell_timeout,
        run_timeout=args.run_timeout,
    )
    for nb in result.failed:
        print(
            f"error: notebook {nb.name} failed at "
            + (f"code cell {nb.cell} ({nb.line!r})" if nb.cell is not None else "outside any cell")
            + f": {nb.error}",
            file=sys.stderr,
        )
        print(
            f"       its executed notebook is kept: {result.folder / (nb.name + '.ipynb')}", file=sys.stderr
        )
    summary = result.summary
    for section in SECTIONS:
        shown = summary.get(section) or {}
        if shown.get("verdict"):
            leader = f" ({shown['leader']})" if shown.get("leader") else ""
            print(f"{section}: {shown['verdict']}{leader}")
    print(f"run folder: {result.folder}")
    print(f"board pack: {result.board_pack}")
    return EXIT_FAILED if result.failed else EXIT_OK


def _vendors() -> list[str]:
    from playbook.imports import VENDOR_NAMES

    return list(VENDOR_NAMES)


def _import(args) -> int:
    from playbook.imports.vendors import ImportOptions, report, run_import

    options = ImportOptions(
        force=args.force,
        overrides=args.map,
        stages=args.stages,
        account_map=args.account_map,
        currency=args.currency,
        fx_rates=args.fx_rates,
        first_month=args.first_month,
        through=args.through,
        exported_on=args.exported_on,
        group=args.group,
        date_format=args.date_format,
        decimal=args.decimal,
        amounts=args.amounts,
        attributes=args.attributes,
    )
    imported, written = run_import(args.vendor, [Path(f) for f in args.files], Path(args.to), options)
    print(report(imported, written))
    return EXIT_OK


def _validate(args) -> int:
    from playbook.data import load_dataset

    folder = resolve_data_dir(args.data)
    dataset = load_dataset(folder, as_of=args.as_of)
    from playbook.views.notes import note_text, set_aside_text

    for note in dataset.decoded:
        print(note_text(note))
    print(f"{folder}: valid; analysis date {dataset.as_of:%Y-%m-%d}")
    for rule in dataset.set_aside:
        print(f"set aside: {set_aside_text(rule)}")
    for note in dataset.notes:
        print(f"note: {note_text(note)}")
    return EXIT_OK


def _params(_args) -> int:
    from playbook.runner.params import example_params_yaml

    print(example_params_yaml(), end="")
    return EXIT_OK


def _diff(args) -> int:
    from playbook.runner.diff import changes, read_summary
    from playbook.views.notes import change_text

    try:
        before, after = read_summary(args.run_a), read_summary(args.run_b)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    found = changes(before, after)
    if not found:
        print(f"Nothing changed between {args.run_a} and {args.run_b}.")
    for change in found:
        print(change_text(change.what, change.before, change.after))
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    command = {"run": _run, "validate": _validate, "params": _params, "diff": _diff, "import": _import}[
        args.command
    ]
    try:
        with stop_requests():
            code = command(args)
            stop.check()  # a stop request that native code swallowed still ends the command
        return code
    except BaseException as exc:
        return _report(exc, args.command)
    finally:
        engines = sys.modules.get("playbook.data.engines")
        if engines is not None:  # a source.yaml was read: close its connection (a Spark session)
            engines.close_all()


def _report(exc: BaseException, command: str) -> int:
    """What went wrong, in a sentence, and the exit status; never a traceback."""
    signum = stop.requested()
    if signum is not None:  # whatever the error, a stop request caused it
        name = signal.Signals(signum).name
        print(
            f"{'interrupted' if signum == signal.SIGINT else 'stopped'} ({name}): no run folder was written.",
            file=sys.stderr,
        )
        return 128 + signum
    if isinstance(exc, DataError):
        print(f"error: {exc}", file=sys.stderr)
        if command == "import":
            print("Nothing was written.", file=sys.stderr)
        else:
            print("No notebook was run and no run folder was written.", file=sys.stderr)
        return EXIT_BAD_INPUT
    if isinstance(exc, ParamsError):
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if isinstance(exc, OSError):  # the run's output place (OutputError), or a file that vanished
        print(f"error: {exc}", file=sys.stderr)
        print("No run folder was written; earlier runs are untouched.", file=sys.stderr)
        return EXIT_FAILED
    if isinstance(exc, KeyboardInterrupt):  # Ctrl-C outside a command's own handling
        print("interrupted (SIGINT): no run folder was written.", file=sys.stderr)
        return 130
    if isinstance(exc, Exception):  # the last guard: a message, never a traceback
        if os.environ.get("PLAYBOOK_DEBUG"):
            raise exc
        print(
            f"internal error: {type(exc).__name__}: {exc} (set PLAYBOOK_DEBUG=1 for details)", file=sys.stderr
        )
        return EXIT_FAILED
    raise exc  # SystemExit and the like


if __name__ == "__main__":
    raise SystemExit(main())
