"""The book's presentation: figures legible at the column width, the program-theory diagram, tables."""

from __future__ import annotations

import copy
import re
import shutil

import matplotlib
import numpy as np
import pandas as pd
import pytest
import yaml
from matplotlib.figure import Figure
from matplotlib.text import Text

from analysis import disclosure
from bookkit import diagram, figures, fmt
from bookkit.tables import Col, journal_table

PROPOSED = diagram.CMO_FILE  # the CMO data, with its harmful pathways
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot is not installed")


# ---- inputs shaped like the analysis functions' outputs -----------------------------------------

def wave_summary(means, half_width, n=(400, 200, 150)):
    means = np.asarray(means, float)
    return pd.DataFrame({"wave": ["t1", "t2", "t3"], "time": [0.0, 1.0, 2.0], "n": list(n), "mean": means,
                         "sd": 5.0, "ci_low": means - half_width, "ci_high": means + half_width})


@pytest.fixture(scope="module")
def panels():
    return [("GAD-7 (anxiety)", wave_summary([10.7, 10.5, 9.9], 0.5), np.array([10.8, 10.4, 10.0])),
            ("PHQ-8 (depression)", wave_summary([11.6, 11.4, 10.9], 0.6), np.array([11.6, 11.4, 11.3]))]


@pytest.fixture(scope="module")
def description():
    rows = [("gender", "female", 475, 60.1), ("gender", "male", 262, 33.1),
            ("gender", "other", disclosure.SMALL_COUNT, disclosure.SECONDARY),
            ("age_group", "16-24", 285, 36.0), ("age_group", "25-34", 188, 23.8),
            ("ethnicity", "white", 641, 81.0), ("ethnicity", "prefer_not_to_say", 11, 1.4),
            ("use_duration", "less_than_1_week", 149, 18.8), ("use_duration", "1_year_or_more", 221, 27.9)]
    return pd.DataFrame(rows, columns=["variable", "category", "n", "percent"])


@pytest.fixture(scope="module")
def matrix():
    rng = np.random.default_rng(1)
    data = rng.normal(size=(200, 6)) + rng.normal(size=(200, 1))
    names = ["selfeff_total", "T1_help_total", "T1_mod_total", "safe_total", "visit_read", "stigma_inferior"]
    m = pd.DataFrame(np.corrcoef(data, rowvar=False), index=names, columns=names)
    m.loc["stigma_inferior", "visit_read"] = m.loc["visit_read", "stigma_inferior"] = np.nan  # withheld pair
    return m


@pytest.fixture(scope="module")
def all_figures(panels, description, matrix):
    return {"sample": figures.sample_description_figure(description),
            "caseness": figures.caseness_figure(593, 198, 76265, 4650),
            "growth": figures.growth_figure(panels, min_group=10),
            "heatmap": figures.correlation_heatmap(matrix)}


def texts(fig):
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


# ---- figures ---------------------------------------------------------------------------------------

def test_figures_are_figures_of_the_column_width(all_figures):
    for name, fig in all_figures.items():
        assert isinstance(fig, Figure), name
        assert fig.get_figwidth() == pytest.approx(figures.WIDTH_IN), name


def test_all_text_is_at_least_12px_at_688px(all_figures):
    for name, fig in all_figures.items():
        found = texts(fig)
        assert len(found) > 5, name
        for t in found:
            px = t.get_fontsize() * 688 / (72 * fig.get_figwidth())  # points -> pixels at 688 px wide
            assert px >= 12, f"{name}: {t.get_text()!r} is {px:.1f} px"


def test_phone_variants_keep_text_at_least_11px_on_a_390px_screen(panels, description, matrix):
    """The narrow variants (shown through <picture> on screens up to 640 px) at a 390 px phone's column."""
    narrow = {"sample": figures.sample_description_figure(description, width=figures.NARROW_IN),
              "caseness": figures.caseness_figure(593, 198, 76265, 4650, width=figures.NARROW_IN),
              "growth": figures.growth_figure(panels, min_group=10, width=figures.NARROW_IN),
              "heatmap": figures.correlation_heatmap(matrix, width=figures.NARROW_IN)}
    for name, fig in narrow.items():
        assert fig.get_figwidth() == pytest.approx(figures.NARROW_IN), name
        for t in texts(fig):
            px = figures.shown_px(t.get_fontsize(), fig, 343)  # the column of a 390 px screen, less margins
            assert px >= 11, f"{name}: {t.get_text()!r} is {px:.1f} px"


def test_heatmap_names_variables_by_their_codebook_labels(matrix):
    from bookkit import labels

    shown = " ".join(t.get_text() for t in texts(figures.correlation_heatmap(matrix)))
    for name in matrix.columns:
        assert name not in shown, name
        assert labels.short(name).split()[0] in shown, name


def test_responsive_svg_carries_its_phone_variant(panels):
    import base64

    svg = figures.responsive_svg(figures.growth_figure(panels, min_group=10),
                                 figures.growth_figure(panels, min_group=10, width=figures.NARROW_IN))
    encoded = re.search(r'data-ipof-narrow="([A-Za-z0-9+/=]+)"', svg).group(1)
    assert base64.b64decode(encoded).decode("utf-8").lstrip().startswith("<?xml")


def test_growth_panels_share_one_honest_y_axis(all_figures, panels):
    fig = all_figures["growth"]
    axes = [ax for ax in fig.axes if ax.get_title(loc="left")]
    assert len(axes) == 2
    limits = {ax.get_ylim() for ax in axes}
    assert len(limits) == 1
    low, high = limits.pop()
    values = np.concatenate([np.r_[obs["ci_low"], obs["ci_high"], imp] for _, obs, imp in panels])
    assert low <= values.min() and high >= values.max()  # nothing is clipped
    ticks = [t for t in axes[0].get_yticks() if low - 1e-9 <= t <= high + 1e-9]
    assert ticks[0] == pytest.approx(low) and float(low).is_integer()  # starts at a labelled round value
    assert axes[0].get_ylabel() and high - low < 10


def test_growth_leaves_out_small_waves(panels):
    small = [(t, obs.assign(n=[400, 200, 5]), imp) for t, obs, imp in panels]
    fig = figures.growth_figure(small, min_group=10)
    for ax in (a for a in fig.axes if a.get_title(loc="left")):
        points = [line for line in ax.get_lines() if line.get_marker() == "o"]
        assert len(points[0].get_xdata()) == 2


def test_withheld_categories_are_marked_not_drawn(all_figures):
    fig = all_figures["sample"]
    gender = next(ax for ax in fig.axes if ax.get_title(loc="left") == "Gender")
    widths = [p.get_width() for p in gender.patches]
    assert widths == pytest.approx([60.1, 33.1, 0.0])
    assert "withheld" in [t.get_text() for t in gender.texts]
    assert [t.get_text() for t in gender.get_yticklabels()] == ["Female", "Male", "Other"]


def test_heatmap_prints_r_without_leading_zero(all_figures, matrix):
    ax = next(ax for ax in all_figures["heatmap"].axes if ax.get_yticklabels() and ax.texts)
    shown = [t.get_text() for t in ax.texts]
    k = len(matrix)
    expected = [fmt.fmt_bounded(matrix.iloc[i, j], 2) for i in range(1, k) for j in range(i)
                if not np.isnan(matrix.iloc[i, j])]
    assert shown == expected and len(shown) == k * (k - 1) // 2 - 1
    assert not any(s.startswith(("0.", "-0.", "\u22120.")) for s in shown)


def test_text_colour_contrasts_with_the_cell():
    assert figures.text_colour("#FFFFFF") == "black"
    assert figures.text_colour("#000000") == "white"
    assert figures.text_colour(figures.OKABE_ITO["vermillion"]) == "black"  # 5.3:1 versus 3.9:1 for white


def test_drawing_leaves_global_style_alone(panels):
    before = copy.deepcopy(dict(matplotlib.rcParams))
    figures.growth_figure(panels, min_group=10)
    after = dict(matplotlib.rcParams)
    assert {k for k in before if before[k] != after[k]} == set()


def test_svg_is_deterministic(all_figures, panels):
    for name, fig in all_figures.items():
        first = figures.figure_svg(fig)
        figures.figure_png(fig)  # a save at another dpi in between changes nothing
        assert figures.figure_svg(fig) == first, name
        assert "<dc:date>" not in first
    again = figures.figure_svg(figures.growth_figure(panels, min_group=10))
    assert again == figures.figure_svg(all_figures["growth"])


def test_notebooks_display_figures_as_their_svg(all_figures):
    from IPython.core.formatters import DisplayFormatter

    data, _ = DisplayFormatter().format(all_figures["growth"])
    assert data["image/svg+xml"] == figures.figure_svg(all_figures["growth"])


def test_png_has_the_display_width(all_figures):
    png = figures.figure_png(all_figures["caseness"], column_px=688, density=2)
    width = int.from_bytes(png[16:20], "big")  # IHDR
    assert abs(width - 1376) <= 1


# ---- the program-theory diagram -----------------------------------------------------------------

def data_edges(doc):
    """(tail, head, harmful) of every pathway, computed here from the YAML."""
    found = set()
    for pw in doc["pathways"]:
        names = {col: [n["node"] for n in pw[col]] for col in ("context", "mechanism", "outcome")}
        found |= {(a, b, pw["harmful"]) for a in names["context"] for b in names["mechanism"]}
        found |= {(a, b, pw["harmful"]) for a in names["mechanism"] for b in names["outcome"]}
    return found


def plain_layout(dot_source):
    """Nodes (name -> label) and edges (tail, head, style, colour) as Graphviz itself read them."""
    import shlex

    nodes, edges = {}, []
    for line in diagram.run_dot(dot_source, "plain").decode().splitlines():
        parts = shlex.split(line)
        if parts[0] == "node":
            nodes[parts[1]] = parts[6].replace("\\n", " ")
        elif parts[0] == "edge":
            n = int(parts[3])
            style, colour = parts[4 + 2 * n], parts[5 + 2 * n]
            edges.append((parts[1], parts[2], style, colour))
    return nodes, edges


def test_the_cmo_data_passes_the_cmo_checks():
    from bookkit import cmo

    doc = cmo.load(PROPOSED)
    harm = next(pw for pw in doc["pathways"] if pw["configuration"] == "TB4" and pw["harmful"])
    assert [n["node"] for n in harm["mechanism"]] == ["Responsibility for others in distress"]


@needs_dot
def test_every_cmo_edge_is_drawn_and_harmful_ones_differ():
    doc = yaml.safe_load(PROPOSED.read_text(encoding="utf-8"))
    expected = data_edges(doc)
    assert any(h for *_, h in expected)
    nodes, edges = plain_layout(diagram.program_theory_dot(PROPOSED))
    drawn = {(nodes[t], nodes[h]): (style, colour) for t, h, style, colour in edges if style != "invis"}
    for tail, head, harmful in expected:
        style, colour = drawn[(tail, head)]
        assert style == ("dashed" if harmful else "solid"), (tail, head)
        assert (colour.upper() == diagram.HARMFUL_COLOUR) == harmful, (tail, head)
    assert len(drawn) == len({(t, h) for t, h, _ in expected})  # nothing drawn that the data lack


# the file's order, and one that Graphviz's own crossing minimisation would rearrange
ORDERS = [None, ["TB2a", "TB2b", "area1-triggering", "TB3a", "TB3b", "area2-unanswered", "area2-removed", "TB4",
                 "TB4-gratitude", "TB4-harm", "TB5"]]


@needs_dot
@pytest.mark.parametrize("order", ORDERS, ids=["file", "rearranged"])
def test_boxes_are_drawn_in_the_order_of_the_cmo_file(order, tmp_path):
    """Top to bottom in each column, the boxes follow their first appearance in the pathways."""
    import shlex

    doc = yaml.safe_load(PROPOSED.read_text(encoding="utf-8"))
    if order is not None:
        by_id = {pw["id"]: pw for pw in doc["pathways"]}
        doc["pathways"] = [by_id[i] for i in order]
    path = tmp_path / "cmo.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    height = {}
    for line in diagram.run_dot(diagram.program_theory_dot(path), "plain").decode().splitlines():
        parts = shlex.split(line)
        if parts[0] == "node":
            height[parts[6].replace("\\n", " ")] = float(parts[3])
    for col in ("context", "mechanism", "outcome"):
        names = list(dict.fromkeys(n["node"] for pw in doc["pathways"] for n in pw[col]))
        ys = [height[name] for name in names]
        assert len(names) > 3 and ys == sorted(ys, reverse=True), col


@needs_dot
def test_every_edge_has_an_arrowhead_that_touches_its_node():
    source = diagram.program_theory_dot(PROPOSED)
    visible = [line for line in source.splitlines() if "->" in line and "style=invis" not in line]
    assert visible and all("arrowhead=normal" in line for line in visible)
    svg = diagram.program_theory_svg(PROPOSED)
    boxes = {}
    for name, d in re.findall(r'<title>(n\d+)</title>\s*<g[^>]*><a[^>]*>\s*<path[^>]* d="([^"]+)"', svg):
        xy = np.array(re.findall(r"(-?[\d.]+),(-?[\d.]+)", d), float)
        boxes[name] = (*xy.min(axis=0), *xy.max(axis=0))
    arrows = re.findall(r"<title>(n\d+)&#45;&gt;(n\d+)</title>.*?<polygon[^>]* points=\"([^\"]+)\"", svg, re.S)
    assert len(arrows) == len(visible)
    for _, head, points in arrows:
        x0, y0, x1, y1 = boxes[head]
        tips = np.array(re.findall(r"(-?[\d.]+),(-?[\d.]+)", points), float)
        gap = min(max(x0 - x, 0, x - x1) + max(y0 - y, 0, y - y1) for x, y in tips)
        assert gap < 1.5, head  # the arrowhead ends on the node's border


@needs_dot
def test_svg_is_legible_deterministic_and_has_a_key():
    svg = diagram.program_theory_svg(PROPOSED)
    sizes = [float(s) for s in re.findall(r'font-size="([\d.]+)"', svg)]
    assert sizes and min(sizes) >= 14
    assert "sans-serif" in svg and "Harmful pathway" in svg
    assert all(label in svg for label in ("Contexts", "Mechanisms", "Outcomes"))
    assert diagram.program_theory_svg(PROPOSED) == svg


def test_a_negative_pathway_without_a_harmful_pathway_is_refused(tmp_path):
    doc = yaml.safe_load(PROPOSED.read_text(encoding="utf-8"))
    doc["pathways"] = [pw for pw in doc["pathways"] if not (pw["configuration"] == "TB4" and pw["harmful"])]
    bad = tmp_path / "cmo.yaml"
    bad.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match="TB4.*harmful"):
        diagram.program_theory_dot(bad)


def test_missing_dot_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(diagram.shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match="'dot'"):
        diagram.program_theory_svg(PROPOSED)


# ---- the table helper, as the pages use it ----------------------------------------------------------

def test_forum_table_as_a_page_shows_it():
    waves = pd.DataFrame({"forum": ["Robin", "Magpie"], "n_t1": [12, 181], "n_t2": [8, 83],
                          "n_t3": [disclosure.SMALL_COUNT, 78]})
    md = journal_table(waves, {"forum": Col("Forum"), "n_t1": Col("Time 1", "int"), "n_t2": Col("Time 2", "int"),
                               "n_t3": Col("Time 3", "int")}, caption="Respondents per forum", name="tbl-forums")
    assert "| Robin | 12 | 8 | \u2020 |" in md and "| Magpie | 181 | 83 | 78 |" in md
    assert "n_t1" not in md and "<8" not in md


def test_rerun_box_reads_the_parameters_cell_and_papermills_injected_values():
    from bookkit import present

    source = ('# Parameters\ndata_path: str = None  # survey CSV\nexclusion_minutes: float = 5.0  # speed exclusion\n'
              'yates: bool = False  # continuity correction\n# Parameters\nyates = True\n')
    params = present.notebook_parameters(source)
    assert params == [("data_path", "None", "survey CSV"), ("exclusion_minutes", "5.0", "speed exclusion"),
                      ("yates", "True", "continuity correction")]
    assert present.rerun_command("book/results/caseness.ipynb", params) == (
        'make chapter NB=book/results/caseness.ipynb ARGS="-p exclusion_minutes 5.0 -p yates True"')


def test_every_declared_key_has_a_json_format_spec():
    """The format spec is data (the explorable site's script applies the same specs): every declared key
    has one, it survives a JSON round trip, and applying the round-tripped spec prints what the book prints."""
    import json

    from analysis import kinds
    from bookkit import fmt

    examples = {"count": 3, "int": 1234, "p": 0.0499, "df": 12.5, "r2": 0.1234, "option": 5.0, "text": "x",
                "num": -0.00043, "bounded": -0.0004, "percent": 12.34}
    for key in kinds.declared():
        rule = fmt.spec(key)
        assert json.loads(json.dumps(rule)) == rule, key
        values = {key: examples[rule["as"]]}
        if rule["as"] == "percent":
            values[rule["of"]] = 20
        assert fmt.apply(json.loads(json.dumps(rule)), values[key], values) == fmt.format_value(key, values)
    assert fmt.apply({"as": "count"}, 3) == "<8" and fmt.apply({"as": "count"}, 1234) == "1,234"
    assert fmt.apply({"as": "percent", "d": 0, "of": "n"}, 40.0, {"n": 3}) == fmt.SUPPRESSED
    assert fmt.apply({"as": "num", "d": 3, "sided": True, "null": 0.0}, -0.00043) == "\u22120.0004"
