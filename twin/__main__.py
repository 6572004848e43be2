"""Command line: ``python -m twin [--out FILE] [--seed N] [--quiet]`` regenerates the synthetic twin.

Generates and calibrates with one BLAS thread, writes to a temporary file
beside ``--out``, runs the real engine on it, and only then moves it into
place; if any calibration target is missed nothing is written (exit 1).
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

from threadpoolctl import threadpool_limits

from analysis import paths

from .assemble import generate, to_csv_text, verify
from .parameters import PARAMETERS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m twin", description="Regenerate the synthetic twin of the iPOF survey."
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=paths.SYNTHETIC_TWIN,
        help=f"where to write (default: {paths.SYNTHETIC_TWIN.relative_to(paths.ROOT)})",
    )
    parser.add_argument(
        "--seed", type=int, default=PARAMETERS["seed"], help=f"random seed (default: the recorded {PARAMETERS['seed']})"
    )
    parser.add_argument(
        "--fit-generation",
        action="store_true",
        help="refit the growth models' generation parameters by least squares instead of using the "
        "recorded ones (always done for another seed; the result may differ between machines)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress messages")
    args = parser.parse_args(argv)
    logging.basicConfig(stream=sys.stderr, format="%(message)s")
    # the package's own level: the engine's growth fit lowers the root logger's level
    logging.getLogger("twin").setLevel(logging.WARNING if args.quiet else logging.INFO)

    start = time.perf_counter()
    with threadpool_limits(limits=1):  # one BLAS thread: the same floating-point path on every run
        text = to_csv_text(generate(args.seed, args.fit_generation))
    generated = time.perf_counter() - start
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_name(args.out.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    misses = verify(tmp)
    if misses:
        tmp.unlink()
        print("error: calibration missed; nothing written:\n  " + "\n  ".join(misses), file=sys.stderr)
        return 1
    tmp.replace(args.out)
    print(
        f"wrote {args.out} ({text.count(chr(10)) - 1} rows): generated and calibrated in {generated:.1f} s, "
        f"verified in {time.perf_counter() - start - generated:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
