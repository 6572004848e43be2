"""Command line of the engine.

``python -m analysis reproduce [--data FILE] [--out DIR] [choices]`` writes the results manifest and the
tables; ``python -m analysis multiverse [--data FILE] [--out DIR]`` runs every combination of choices.
``--data`` overrides ``$IPOF_DATA``, which overrides the shipped synthetic twin. A file that breaks the
contract, or data too small for an analysis, gives one message on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from . import paths
from .errors import AnalysisError
from .loading import ContractError
from .options import CHOICES, DESCRIPTIONS, Options


class _Parser(argparse.ArgumentParser):
    """Refuses a bad command line with one line and exit status 2 (argparse prints the usage too)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **{"allow_abbrev": False, **kwargs})  # --tail is not --tails

    def error(self, message):
        self.exit(2, f"error: {message} (see {self.prog} --help)\n")


def add_option_flags(parser: argparse.ArgumentParser) -> None:
    """One flag per :class:`~analysis.options.Options` field, spelled as the field (``_`` -> ``-``)."""
    paper = Options()
    for name, levels in CHOICES.items():
        flag = "--" + name.replace("_", "-")
        default = getattr(paper, name)
        if name == "exclusion_minutes":
            parser.add_argument(
                flag, type=float, default=default, metavar="M", help=f"{DESCRIPTIONS[name]} (default {default:g})"
            )
        elif isinstance(default, bool):
            parser.add_argument(flag, action="store_true", help=DESCRIPTIONS[name])
        else:
            parser.add_argument(
                flag,
                type=type(default),
                choices=levels,
                default=default,
                help=f"{DESCRIPTIONS[name]} (default {default})",
            )


def options_from(args: argparse.Namespace) -> Options:
    return Options.from_mapping(vars(args))


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m analysis", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    rep = sub.add_parser("reproduce", help="run every analysis and write results.json and tables/*.csv")
    mult = sub.add_parser("multiverse", help="run every combination of the analytic choices; write multiverse.json "
                          "(summary) and multiverse.parquet (every results key of every specification)")
    for p, out in ((rep, paths.DEFAULT_OUT), (mult, paths.ROOT / "_build" / "multiverse")):
        p.add_argument(
            "--data",
            type=Path,
            default=None,
            help=f"survey CSV in the contract layout (default: ${paths.DATA_ENV}, else the synthetic twin)",
        )
        p.add_argument("--out", type=Path, default=out, help=f"output folder (default: {out.relative_to(paths.ROOT)})")
    add_option_flags(rep)
    mult.add_argument("--subset", choices=("full", "conclusions"), default="full",
                      help="full: every combination of every choice; conclusions: each conclusion's distinct "
                           "analyses only, as the book (default full)")
    mult.add_argument("--jobs", type=int, default=1, help="processes (joblib; default 1); the output is the same")
    mult.add_argument("--scheduler", default=None,
                      help="address of a Dask distributed scheduler to run on instead (the output is the same)")
    mult.add_argument("--permutations", type=int, default=500,
                      help="permutations of the joint test (default 500; 0 skips it)")
    return parser


def _reproduce(args) -> int:
    from .reproduce import reproduce

    data = paths.survey_file(args.data)
    start = time.perf_counter()
    results = reproduce(data, args.out, options_from(args))
    res = results.values
    print(
        f"{data}: {res['n_t1']} included ({res['n_excluded_speed']} excluded for speed); "
        f"wrote {args.out / 'results.json'} and {len(results.tables)} tables in {time.perf_counter() - start:.1f} s"
    )
    return 0


def _multiverse(args) -> int:
    from .multiverse import write_multiverse

    data = paths.survey_file(args.data)
    start = time.perf_counter()
    doc = write_multiverse(data, args.out, subset=args.subset, jobs=args.jobs, scheduler=args.scheduler,
                           permutations=args.permutations)
    bad = sum(1 for s in doc["specifications"] if s.get("not_estimable"))
    print(
        f"{data}: {len(doc['specifications'])} specifications ({bad} not estimable), "
        f"{len(doc['conclusions'])} conclusions; wrote {args.out / 'multiverse.json'} and "
        f"{args.out / 'multiverse.parquet'} in {time.perf_counter() - start:.1f} s"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "reproduce":
        try:  # a value argparse accepts but Options refuses (--exclusion-minutes -5 or nan): Options' message
            options_from(args)
        except ValueError as exc:
            parser.exit(2, f"error: {exc} (see python -m analysis reproduce --help)\n")
    try:
        return {"reproduce": _reproduce, "multiverse": _multiverse}[args.command](args)
    except (ContractError, AnalysisError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: cannot write to {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
