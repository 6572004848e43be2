"""Command line: ``python -m analysis reproduce [--data FILE] [--out DIR] [--exclusion-minutes M]``."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from . import paths
from .loading import DEFAULT_EXCLUSION_MINUTES, ContractError
from .reproduce import Options, reproduce


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    rep = sub.add_parser("reproduce", help="run every analysis and write results.json and tables/*.csv")
    rep.add_argument("--data", type=Path, default=None,
                     help=f"survey CSV in the contract layout (default: the synthetic twin, {paths.SYNTHETIC_TWIN.relative_to(paths.ROOT)})")
    rep.add_argument("--out", type=Path, default=paths.DEFAULT_OUT,
                     help=f"output folder (default: {paths.DEFAULT_OUT.relative_to(paths.ROOT)})")
    rep.add_argument("--exclusion-minutes", type=float, default=DEFAULT_EXCLUSION_MINUTES,
                     help="speed exclusion: keep respondents with t1_duration_min >= M (default 5)")
    rep.add_argument("--yates", action="store_true", help="continuity correction on the caseness chi-square")
    rep.add_argument("--growth-missing", choices=("fiml", "listwise"), default="fiml")
    rep.add_argument("--growth-information", choices=("observed", "expected"), default="observed")
    rep.add_argument("--ttest", choices=("levene", "student", "welch"), default="levene",
                     help="Levene's rule (default) or force Student's or Welch's t")
    aud = sub.add_parser("audit", help="check the paper's printed statistics against each other (no data needed)")
    aud.add_argument("--out", type=Path, default=paths.ROOT / "_build" / "audit",
                     help="output folder for audit.json (default: _build/audit)")
    return parser


def run_audit(out: Path) -> int:
    """Write OUT/audit.json: every check of :mod:`analysis.audit`, written atomically."""
    import json
    import os
    import tempfile

    from . import audit

    checks = audit.run()
    out.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out, prefix=".audit-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(json.dumps(checks, indent=2, ensure_ascii=False) + "\n")
    os.replace(tmp, out / "audit.json")
    bad = [c for c in checks if not c["consistent"]]
    print(f"{len(checks)} checks, {len(bad)} inconsistent; wrote {out / 'audit.json'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "audit":
        try:
            return run_audit(args.out)
        except OSError as exc:
            print(f"error: cannot write to {args.out}: {exc.strerror or exc}", file=sys.stderr)
            return 2
    data = args.data
    if data is None:
        data = paths.SYNTHETIC_TWIN
        if not data.exists():
            print(
                f"error: the synthetic twin ({data.relative_to(paths.ROOT)}) is not in this checkout yet; "
                "pass --data FILE with a survey in the contract layout",
                file=sys.stderr,
            )
            return 2
    options = Options(
        exclusion_minutes=args.exclusion_minutes,
        yates=args.yates,
        growth_missing=args.growth_missing,
        growth_information=args.growth_information,
        ttest_force=None if args.ttest == "levene" else args.ttest,
    )
    start = time.perf_counter()
    try:
        analysis = reproduce(data, args.out, options)
    except ContractError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: cannot write to {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    res = analysis.results
    print(
        f"{data}: {res['n_t1']} included ({res['n_excluded_speed']} excluded for speed); "
        f"wrote {args.out / 'results.json'} and {len(analysis.tables)} tables in {time.perf_counter() - start:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
