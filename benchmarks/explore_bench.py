"""How fast the explorable page follows a change of choice, on a phone-class CPU (Chromium throttled 4x).

:func:`bench_explore` serves a built site, opens pages in headless Chromium with
``Emulation.setCPUThrottlingRate`` 4 (Chrome DevTools Protocol), switches the analysis through the page's
own ``IpofExplore.choose`` and reads the time the script took to update the page
(``IpofExplore.state.lastUpdateMs``: every number, verdict, word, figure and the panel's status), plus
the page's first load of the exported results. `make bench` reports it; it is never asserted in tests
(the budget is 100 ms per change).

Run alone: ``.venv/bin/python benchmarks/explore_bench.py [site]`` (default ``_build/html``).
"""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import statistics
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = ("book/results/caseness", "book/results/growth", "book/results/theory-area-1",
         "book/appendices/appendix-9-ttests")  # the widest table that follows the choices
#: Changes of choice measured on every page, in order (each from the previous analysis).
CHANGES = ({"yates": True}, {"tails": 1}, {"exclusion_minutes": 10.0}, {"multiplicity": "holm"},
           {"growth_missing": "listwise"}, {"correlation": "spearman"}, {"ttest": "welch"}, {})
THROTTLE = 4


class _Quiet(http.server.SimpleHTTPRequestHandler):
    overlay: Path | None = None  # a folder served as _static/explore/ instead of the site's

    def translate_path(self, path):
        rel = path.split("?", 1)[0]
        if self.overlay is not None and rel.startswith("/_static/explore/"):
            return str(self.overlay / rel[len("/_static/explore/"):])
        return super().translate_path(path)

    def log_message(self, *args):
        pass


def bench_explore(site: Path = ROOT / "_build" / "html", rounds: int = 3, overlay: Path | None = None) -> list[dict]:
    """Rows {what, seconds} for `make bench`: per page, the median and the slowest update after a change
    of choice (``rounds`` passes over :data:`CHANGES`) with the CPU throttled :data:`THROTTLE` times, from
    the call to the next rendered frame (the script's own time too), and the load of the page's exported
    results. ``overlay`` serves another folder as ``_static/explore/``. Empty when there are no exported
    results."""
    if not ((overlay or site / "_static" / "explore") / "explore.json").exists():
        print(f"bench_explore: {site} has no _static/explore/explore.json; skipped")
        return []
    from playwright.sync_api import sync_playwright

    handler = functools.partial(type("Handler", (_Quiet,), {"overlay": overlay}), directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}"
    rows = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                         args=["--no-sandbox", "--disable-gpu"])
            for doc in PAGES:
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                cdp = page.context.new_cdp_session(page)
                cdp.send("Emulation.setCPUThrottlingRate", {"rate": THROTTLE})
                page.goto(f"{url}/{doc}.html", wait_until="load")
                load_ms = page.evaluate("""async () => { const t0 = performance.now();
                    await window.ipofExploreReady; return performance.now() - t0; }""")
                times, script, laid = [], [], []
                for _ in range(rounds):
                    for change in CHANGES:
                        frame, layout, own = page.evaluate("""async (change) => { const s = IpofExplore.state;
                            const t0 = performance.now();
                            IpofExplore.choose(Object.keys(change).length ? Object.assign({}, s.choice, change) : {});
                            void document.body.offsetHeight;  // style and layout of the changed page
                            const t1 = performance.now();
                            await new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)));
                            return [performance.now() - t0, t1 - t0, s.lastUpdateMs]; }""", change)
                        times.append(frame)
                        laid.append(layout)
                        script.append(own)
                count = page.evaluate("document.querySelectorAll('[data-key],[data-verdict],[data-words]').length")
                name = doc.rsplit("/", 1)[-1]
                rows.append({"what": f"explorable {name} ({count} elements): a change of choice to the next frame, "
                             f"CPU {THROTTLE}x throttled, median of {len(times)} ({statistics.median(times):.1f} ms; "
                             f"slowest {max(times):.1f} ms; script and layout {statistics.median(laid):.1f} ms, "
                             f"slowest {max(laid):.1f} ms; script alone {statistics.median(script):.1f} ms)",
                             "seconds": statistics.median(times) / 1000, "ms_median": statistics.median(times),
                             "ms_max": max(times), "ms_layout_median": statistics.median(laid),
                             "ms_layout_max": max(laid), "ms_script_median": statistics.median(script)})
                rows.append({"what": f"explorable {name}: script ready after load (exported results fetched), CPU "
                             f"{THROTTLE}x throttled ({load_ms:.0f} ms)", "seconds": load_ms / 1000})
                page.close()
            browser.close()
    finally:
        httpd.shutdown()
    return rows


if __name__ == "__main__":
    found = bench_explore(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "_build" / "html")
    print(json.dumps(found, indent=2))
