"""`python -m bench` (make bench): the full run, sizes S, M and L, written to bench/RESULTS.md.
`python -m bench --quick` (make bench-quick): sizes S and M only, printed, nothing written.
The browser parts run on their own too: `python -m bench.browser_pages` (pages timed in a real
browser at size L) and `python -m bench.load` (many people at once)."""

from __future__ import annotations

import argparse

from bench.harness import SELECTION, main

parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
parser.add_argument("--quick", action="store_true", help="sizes S and M only (under 2 minutes)")
parser.add_argument("--runs", type=int, default=3, help="runs per figure (the median is shown)")
parser.add_argument(
    "--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone"
)
parser.add_argument("--sizes", default="S,M,L", help="comma-separated sizes (default S,M,L)")
parser.add_argument("--backend", choices=["sqlite", "postgresql"], help="only this backend")
parser.add_argument("--pages", default="", help="comma-separated page names (default all)")
parser.add_argument("--no-export", action="store_true", help="skip the IATI export timing")
parser.add_argument(
    "--no-browser",
    action="store_true",
    help="skip the browser timings and the load scenario (bench.browser_pages, bench.load)",
)
args = parser.parse_args()
SELECTION.update(pages=args.pages, export="noexport" if args.no_export else "export")
main(
    quick=args.quick,
    runs=args.runs,
    write=not (args.quick or args.no_write),
    sizes=[s.strip().upper() for s in args.sizes.split(",")],
    only=args.backend,
    browser=not args.no_browser,
)
