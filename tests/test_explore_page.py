"""The explorable paper in a real browser (Playwright + Debian's Chromium): a reader picks an analysis and
every number, verdict and rule-chosen word of the page equals the engine's for those options.

- the page's formatter (``ipof-explore.js``) agrees with :func:`bookkit.fmt.apply` on every key of every
  exported analysis;
- pages opened with an analysis in the address (caseness, growth, theory area 1) show, in every
  ``data-key`` element, the value and the text of :func:`analysis.engine.run_analysis` with those options
  (through the results store), in every ``data-verdict`` the sentence its rule chooses, in every
  ``data-words`` and ``data-method`` the rule's words: 3 analyses here, 20 more in the ``slow`` sweep;
- a choice is switched with the keyboard only, bad address parameters are ignored with a note, the page
  without scripts is the paper's analysis, and the panel at 390 px fits (screenshot in
  ``_build/screenshots/``).

The exported files are the build's (``_static/explore/``) when it wrote them, else a stand-in in the same
shape computed here (:mod:`explore_fixture`).
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import io
import json
import math
import threading
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest

import explore_fixture as xf
from analysis.options import PAPER, Options
from analysis.store import Session
from bookkit import explore_markup as markup
from bookkit import fmt, interpret, verdicts, words
from bookkit.directives import MANIFEST
from test_browser import CHROMIUM, SHOTS, axe_violations

PAGES = ("book/results/caseness", "book/results/growth", "book/results/theory-area-1")
FAST = [Options(exclusion_minutes=10.0, yates=True, tails=1, caseness_cutoffs="gad10_phq10", ttest="welch",
                multiplicity="holm", growth_missing="listwise"), *xf.random_analyses(2, seed=22)]
SWEEP = xf.random_analyses(20, seed=2025)
KEYBOARD = Options(yates=True)  # the analysis the keyboard test switches to


class _Handler(http.server.SimpleHTTPRequestHandler):
    """The built site, with ``/_static/explore/`` served from ``overlay`` when one is given. A site built
    without exported results has no panel (:func:`bookkit.explore_markup.exported`): with an overlay, its pages
    get the panel's placeholder here, placed by the build's own :func:`bookkit.explore_markup.with_panel`."""

    overlay: Path | None = None

    def translate_path(self, path):
        rel = urlsplit(path).path
        prefix = "/_static/explore/"
        if self.overlay is not None and rel.startswith(prefix):
            return str(self.overlay / rel[len(prefix):])
        return super().translate_path(path)

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if self.overlay is None or path.suffix != ".html" or not path.is_file():
            return super().send_head()
        html = path.read_text(encoding="utf-8")
        if 'id="ipof-explore"' not in html and "<article" in html:
            at = html.index("<article")
            front = urlsplit(self.path).path.endswith("/book/intro.html")
            html = html[:at] + markup.with_panel(html[at:], front, MANIFEST)
        data = html.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        return io.BytesIO(data)

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(site: Path, overlay: Path | None):
    """An HTTP server of the site (and of the stand-in export, if any) on a free local port."""
    handler = type("Handler", (_Handler,), {"overlay": overlay})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()


def _export(site: Path, tmp: Path, analyses: list[Options]) -> Path | None:
    """None when the build exported the results (served as built), else a stand-in folder for ``analyses``."""
    if (site / xf.EXPLORE / "explore.json").exists():
        return None
    return xf.write(tmp, analyses, Session())


@pytest.fixture(scope="module")
def session():
    return Session()


@pytest.fixture(scope="module")
def fast_site(site, tmp_path_factory):
    overlay = _export(site, tmp_path_factory.mktemp("explore"), [*FAST, KEYBOARD])
    with serve(site, overlay) as url:
        yield url, overlay or site / xf.EXPLORE


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed: `make test` installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield b
        b.close()


def query(options: Options) -> str:
    """The address's query of an analysis: the choices that are not the paper's, as levels are written."""
    return urlencode({k: xf.level_text(v) for k, v in options.changed().items()})


def open_explore(browser, url: str, width: int = 1280, scripts: bool = True):
    """A new page at ``url``, waiting until the explorable script has shown its analysis; console errors."""
    context = browser.new_context(viewport={"width": width, "height": 900}, java_script_enabled=scripts)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(f"{m.text} ({m.location.get('url')})")
            if m.type == "error" and "net::" not in m.text else None)
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(url.split("/book/")[0]) else r.abort())
    page.goto(url, wait_until="load")
    if scripts:
        page.evaluate("window.ipofExploreReady")
        page.wait_for_selector("html.ipof-explore-ready", timeout=15000)
    return page, errors


SHOWN = """() => ({
  keys: [...document.querySelectorAll('[data-key]')].map(e => [e.dataset.key, e.dataset.value, e.textContent]),
  verdicts: [...document.querySelectorAll('[data-verdict]')].map(e => [e.dataset.verdict, e.textContent,
             e.nextElementSibling && e.nextElementSibling.classList.contains('ipof-verdict-effect')
             ? e.nextElementSibling.hidden : null]),
  words: [...document.querySelectorAll('[data-words]')].map(e => [e.dataset.words, e.textContent]),
  methods: [...document.querySelectorAll('[data-method]')].map(e => [e.dataset.method, e.textContent]),
  status: (document.querySelector('.ipof-explore-status') || {}).textContent,
  search: location.search,
})"""


def _close(shown: str, expected: str) -> bool:
    """Two data-values agree: the same text, or numbers equal to 1e-7 (relative)."""
    if shown == expected:
        return True
    try:
        a, b = json.loads(shown), json.loads(expected)
    except ValueError:
        return False
    return (isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool)
            and math.isclose(a, b, rel_tol=1e-7, abs_tol=1e-10))


def check_page(page, options: Options, values: dict, exported_keys: dict) -> list[str]:
    """Every explorable element of the open page against the engine's ``values`` for ``options``: the
    problems found (empty when the page shows that analysis)."""
    shown = page.evaluate(SHOWN)
    problems = []
    if not shown["keys"]:
        problems.append("no data-key element on the page")
    for key, value, text in shown["keys"]:
        if key not in exported_keys:
            problems.append(f"{key}: on the page but not in the exported results")
            continue
        want_text, want_value = fmt.format_value(key, values), markup.raw_value(key, values)
        if text != want_text:
            problems.append(f"{key}: shows {text!r}, the engine's is {want_text!r}")
        if not _close(value, want_value):
            problems.append(f"{key}: data-value {value}, the engine's is {want_value}")
    for cid, text, effect_hidden in shown["verdicts"]:
        want = verdicts.sentence(cid, values)
        if text != want:
            problems.append(f"verdict {cid}: {text!r}, the rule chooses {want!r}")
        if effect_hidden is not None and effect_hidden != (want == verdicts.NOT_ESTIMABLE):
            problems.append(f"verdict {cid}: its effect is {'hidden' if effect_hidden else 'shown'}")
    for spec, text in shown["words"]:
        if spec.lower().startswith(("share:", "half:", "cohen:")) and text != words.phrase(spec, values):
            problems.append(f"words {spec}: {text!r}, the rule says {words.phrase(spec, values)!r}")
    for choice, text in shown["methods"]:
        want = interpret.METHOD_WORDS[choice][getattr(options, choice)]
        if text != want:
            problems.append(f"method words of {choice}: {text!r}, not {want!r}")
    paper = options == PAPER
    if (shown["status"] or "").startswith("not the paper") == paper:
        problems.append(f"the panel says {shown['status']!r}")
    if shown["search"].lstrip("?") != query(options):
        problems.append(f"the address holds {shown['search']!r}, not ?{query(options)}")
    return problems


def _sweep(browser, url: str, folder: Path, session, analyses: list[Options]) -> None:
    explore, _ = xf.load(folder)
    problems = []
    for options in [PAPER, *analyses]:
        values = session.results(options).values
        for doc in PAGES:
            page, errors = open_explore(browser, f"{url}/{doc}.html?{query(options)}")
            problems += [f"{doc} [{options.label()}] {p}" for p in check_page(page, options, values, explore["keys"])]
            problems += [f"{doc} [{options.label()}] console: {e}" for e in errors]
            page.context.close()
    assert not problems, "\n".join(problems[:40])


def test_pages_show_the_chosen_analysis(browser, fast_site, session):
    """Three analyses (and the paper's) on caseness, growth and theory area 1 equal the engine's."""
    url, folder = fast_site
    _sweep(browser, url, folder, session, FAST)


@pytest.mark.slow
def test_pages_show_twenty_random_analyses(browser, site, session, tmp_path):
    """Twenty random analyses (seeded) on caseness, growth and theory area 1 equal the engine's."""
    overlay = _export(site, tmp_path, SWEEP)
    with serve(site, overlay) as url:
        _sweep(browser, url, overlay or site / xf.EXPLORE, session, SWEEP)


def test_formatter_agrees_with_python(browser, fast_site):
    """ipof-explore.js's apply() prints every exported value of every analysis as bookkit.fmt.apply does."""
    url, folder = fast_site
    explore, parts = xf.load(folder)
    units = list(xf.unit_rows(explore, parts))
    assert sum(len(keys) for _, keys in units) >= len(explore["keys"])
    page, _ = open_explore(browser, f"{url}/{PAGES[0]}.html")
    js = page.evaluate("""([units, format, ctx]) => units.map(([values, keys]) => keys.map(k => {
        try { return IpofExplore.apply(format[k], values[k], values, ctx); } catch (e) { return 'error: ' + e.message; }
      }))""", [units, explore["format"], {"alpha": explore["alpha"], "min_cell": explore["min_cell"]}])
    differ, checked = [], 0
    for (values, keys), texts in zip(units, js, strict=True):
        py_values = {k: xf.import_value(v) for k, v in values.items()}
        for key, text in zip(keys, texts, strict=True):
            try:
                want = fmt.apply(explore["format"][key], py_values[key], py_values)
            except (ValueError, TypeError) as exc:
                want = f"error: {exc}"
            checked += 1
            if text != want and not (text.startswith("error") and want.startswith("error")):
                differ.append(f"{key} = {values[key]!r}: JS {text!r}, Python {want!r}")
    assert checked >= len(explore["keys"])
    assert not differ, f"{len(differ)} of {checked} differ:\n" + "\n".join(differ[:30])


def test_formatter_edge_cases(browser, fast_site):
    """Ties, signs, the P rule near alpha and the sided rule on values chosen to break a naive port."""
    url, _ = fast_site
    cases = [({"as": "num", "d": 2, "sided": False, "null": 0.0}, v) for v in (0.125, 2.675, -0.004, -0.0, 1e-7)]
    cases += [({"as": "num", "d": 0, "sided": False, "null": 0.0}, v) for v in (0.5, 1.5, 2.5, -2.5)]
    cases += [({"as": "p"}, v) for v in (0.04996, 0.0500001, 0.05, 0.049999999, 0.0005, 0.9996, 1.0, 0.0, 0.1235)]
    cases += [({"as": "num", "d": 3, "sided": True, "null": 0.0}, v) for v in (-0.00043, 0.0000004, 0.0004999)]
    cases += [({"as": "num", "d": 2, "sided": True, "null": 1.0}, v) for v in (0.999, 1.004, 1.0)]
    cases += [({"as": "bounded", "d": 3, "sided": True}, v) for v in (-0.0004, 0.0, 1.0, -0.0715, 0.4145)]
    cases += [({"as": "option"}, v) for v in (0.2, 5.0, 2, "welch", True, 1e-5)]
    cases += [({"as": "count"}, v) for v in (0, 3, 8, 80915, {"withheld": "secondary"})]
    cases += [({"as": "int"}, 1234567), ({"as": "df"}, 788.0), ({"as": "df"}, 140.35), ({"as": "r2"}, 0.12345),
              ({"as": "text"}, ["a", "b"]), ({"as": "text"}, []), ({"as": "percent", "d": 1, "of": "n"}, 12.25)]
    page, _ = open_explore(browser, f"{url}/{PAGES[0]}.html")
    js = page.evaluate("""(cases) => cases.map(([rule, v]) => {
        try { return IpofExplore.apply(rule, v, {n: 3}, {alpha: 0.05, min_cell: 8}); } catch (e) { return 'error'; }
      })""", cases)
    want = []
    for rule, v in cases:
        try:
            want.append(fmt.apply(rule, xf.import_value(v), {"n": 3}))
        except (ValueError, TypeError):
            want.append("error")
    assert js == want


def test_keyboard_switches_a_choice(browser, fast_site, session):
    """From the panel's summary, keys only: open it, reach a choice, change its level; the page, the
    address and the status follow."""
    url, _ = fast_site
    page, errors = open_explore(browser, f"{url}/book/results/caseness.html")
    before = page.evaluate(SHOWN)
    page.focus(".ipof-explore-box > summary")
    page.keyboard.press("Enter")
    select = page.locator("#ipof-choice-yates")
    for _ in range(40):
        if page.evaluate("document.activeElement && document.activeElement.id") == "ipof-choice-yates":
            break
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "ipof-choice-yates", "Tab never reached the yates choice"
    page.keyboard.press("ArrowDown")
    assert select.input_value() == "true"
    problems = check_page(page, KEYBOARD, session.results(KEYBOARD).values, xf.load(fast_site[1])[0]["keys"])
    assert not problems, problems
    after = page.evaluate(SHOWN)
    assert after["keys"] != before["keys"], "changing yates changed no number on the caseness page"
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # past the paper's level and the other choices to the reset button
    for _ in range(40):
        if page.evaluate("document.activeElement.className") == "ipof-explore-reset":
            break
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("location.search") == ""
    assert page.evaluate(SHOWN)["keys"] == before["keys"]
    assert not errors


def test_bad_address_is_ignored_with_a_note(browser, fast_site):
    """Unknown names and levels are ignored, said so, and the rest of the address is shown."""
    url, _ = fast_site
    page, errors = open_explore(browser, f"{url}/book/results/caseness.html?bogus=1&yates=maybe&tails=1.0")
    note = page.locator(".ipof-explore-note").text_content()
    assert "bogus=1" in note and "yates=maybe" in note
    assert page.evaluate("location.search") == "?tails=1"
    assert "not the paper" in page.locator(".ipof-explore-status").text_content()
    assert not errors


def test_choice_is_kept_between_pages(browser, fast_site):
    """A choice made on one page is shown on the next: reached by typing its address (the session keeps
    it) or by following an internal link (which carries it, for a new tab too)."""
    url, _ = fast_site
    page, _ = open_explore(browser, f"{url}/book/results/caseness.html?{query(FAST[0])}")
    page.goto(f"{url}/book/results/growth.html", wait_until="load")
    page.evaluate("window.ipofExploreReady")
    page.wait_for_selector("html.ipof-explore-ready")
    assert page.evaluate("location.search").lstrip("?") == query(FAST[0])
    link = page.locator("a[href*='caseness.html']").first
    link.focus()
    assert query(FAST[0]) in link.get_attribute("href")
    page.locator("a.left-prev").click()  # the previous chapter (caseness), as a reader clicks it
    page.wait_for_load_state("load")
    assert page.url.split("?")[0].endswith("caseness.html")
    assert page.evaluate("location.search").lstrip("?") == query(FAST[0])


def test_without_scripts_the_page_is_the_papers(browser, fast_site, session):
    """No script: the panel stays hidden and every number is the paper's analysis."""
    url, _ = fast_site
    page, _ = open_explore(browser, f"{url}/book/results/caseness.html?yates=true", scripts=False)
    assert page.locator("#ipof-explore").is_hidden()
    values = session.results(PAPER).values
    for key, _value, text in page.evaluate(SHOWN)["keys"]:
        assert text == fmt.format_value(key, values), key


def test_panel_at_390_px(browser, fast_site):
    """The open panel at 390 px fits the screen (no sideways scroll) and axe-core finds no WCAG 2.1 A/AA
    violation on the page with it; screenshot for a reader's eye."""
    url, _ = fast_site
    page, errors = open_explore(browser, f"{url}/book/results/caseness.html?{query(FAST[0])}", width=390)
    page.click(".ipof-explore-box > summary")
    if page.locator(".ipof-explore-more > summary").count():
        page.click(".ipof-explore-more > summary")
    box = page.locator("#ipof-explore").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#ipof-explore").screenshot(path=str(SHOTS / "explore-panel-390.png"))
    page.screenshot(path=str(SHOTS / "explore-caseness-390.png"))
    assert not errors
    assert not axe_violations(page)  # (axe-core's own run may request a stylesheet the page never loads)


TABLE_CELLS = """(name) => {
  const found = document.getElementById(name);
  const table = found.tagName === 'TABLE' ? found : found.querySelector('table');
  const block = table.closest('.ipof-table-block');
  const note = block.previousElementSibling;
  return {
    cells: [...table.tBodies].flatMap(b => [...b.rows]).map(r => [...r.cells].map(td => {
      const p = td.children.length === 1 && td.firstElementChild.tagName === 'P' ? td.firstElementChild : td;
      return p.innerHTML;
    })),
    noteShown: !!(note && note.classList.contains('ipof-static-note') && !note.hidden),
  };
}"""
#: Appendix pages and the analysis each opens with (a table whose cells change with it).
TABLE_PAGES = (
    ("book/appendices/appendix-9-ttests", "tbl-ttests", Options(exclusion_minutes=10.0, ttest="welch", tails=1)),
    ("book/appendices/appendix-2-survey-items", "tbl-frequencies", Options(exclusion_minutes=0.0)),
    ("book/appendices/appendix-7-growth", "tbl-growth-estimates", Options(growth_missing="listwise")),
)


def _table_variant(folder: Path, name: str, options: Options) -> list[list[str]]:
    index = json.loads((folder / "explore.json").read_text(encoding="utf-8"))
    assert name in index.get("tables", {}), f"the export has no cells of {name}"
    doc = json.loads((folder / index["tables"][name]["file"]).read_text(encoding="utf-8"))
    combo = "|".join(xf.level_text(getattr(options, n)) for n in doc["depends_on"])
    return doc["variants"][doc["combos"][combo]]


@pytest.mark.parametrize(("path", "name", "options"), TABLE_PAGES, ids=[t[1] for t in TABLE_PAGES])
def test_tables_follow_the_choice(browser, fast_site, path, name, options):
    """A computed table opened under another analysis shows that analysis's exported cells and no note that it
    shows the paper's; the paper's analysis puts back the built cells, which are the export's paper variant
    (the export renders the cells as Sphinx does); a variant of another shape keeps the paper's cells and the note."""
    url, folder = fast_site
    chosen, paper = _table_variant(folder, name, options), _table_variant(folder, name, PAPER)
    assert chosen != paper, "the analysis does not change the table: choose another"
    page, errors = open_explore(browser, f"{url}/{path}.html?{query(options)}")
    shown = page.evaluate(TABLE_CELLS, name)
    assert shown["cells"] == chosen and not shown["noteShown"]
    page.evaluate("IpofExplore.choose({})")
    shown = page.evaluate(TABLE_CELLS, name)
    assert shown["cells"] == paper and not shown["noteShown"]
    # a variant whose shape differs from the page's table (a category absent): the paper's cells, with the note
    page.evaluate("""(name) => { const t = IpofExplore.state.tables.find(t => t.name === name);
                      t.data = { ...t.data, variants: t.data.variants.map(v => v.slice(1)) }; }""", name)
    page.evaluate(f"IpofExplore.choose({json.dumps(options.changed())})")
    shown = page.evaluate(TABLE_CELLS, name)
    assert shown["cells"] == paper and shown["noteShown"]
    assert not errors
