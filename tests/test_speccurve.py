"""The specification curves (bookkit/speccurve.py) and the multiverse page's words (bookkit/mvpage.py).

The curves are drawn from a made-up multiverse document (every combination of the choices a conclusion's
rule can depend on, with random estimates), so these tests need no build: every text of both variants is
at least 11 px as displayed (688 px wide on a desktop, 358 px on a 390 px phone), inside the figure, in
words (no option, level, results key or conclusion id), the legend clear of the data, and the SVG light.
"""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest
from matplotlib.text import Text

from analysis.conclusions import BY_ID
from analysis.engine import DEPENDS_ON
from analysis.options import CHOICES, Options
from bookkit import figures, labels, mvpage, speccurve

MIN_PX = 11


def fake_doc(conclusion_id: str, seed: int = 1) -> dict:
    """A multiverse document for one conclusion: every combination of the choices its part depends on (the
    others at the paper's), with random estimates, intervals and P values, a tenth not estimable."""
    c = BY_ID[conclusion_id]
    rng = np.random.default_rng(seed)
    dims = {name: list(levels) for name, levels in CHOICES.items()}
    varied = [name for name in dims if name in DEPENDS_ON[c.part]]
    paper = Options().as_dict()
    specs = []
    for combo in itertools.product(*(dims[name] for name in varied)):
        options = {**paper, **dict(zip(varied, combo, strict=True))}
        estimate = float(rng.normal(0.15, 0.1))
        results = {key: float(rng.uniform(0.001, 0.2)) for key in c.reads}
        results.update({c.key: estimate, c.interval[0]: estimate - 0.1, c.interval[1]: estimate + 0.1})
        if c.key.startswith(("t_", "d_")) or c.id.startswith("cmo2"):
            results[c.reads[0]] = estimate  # the t statistic has the estimate's sign
        specs.append({"options": options, "results": None if rng.uniform() < 0.1 else results})
    return {"dimensions": dims, "specifications": specs}


#: A machine name: anything with an underscore (option, level, results key, conclusion id), or an option or
#: level that is not an English word, or a Python value.
MACHINE = re.compile(r"_|\b(?:ttest|sesoi|yates|fiml|listwise|levene|pearson|spearman|True|False)\b")


def texts(fig) -> list[Text]:
    """Every visible, non-empty text of a drawn figure."""
    fig.canvas.draw()
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


@pytest.fixture(scope="module", params=["caseness_lower", "gad_fit", "cmo2_safe", "area2_help_alone"])
def pair(request):
    doc = fake_doc(request.param)
    return request.param, doc, speccurve.figure_pair(doc, request.param)


def test_every_text_is_legible_inside_and_in_words(pair):
    """At least 11 px as displayed at both widths, inside the figure (nothing clipped), and no machine name."""
    cid, _, (wide, narrow) = pair
    for fig, column in ((wide, figures.SHOWN_PX), (narrow, figures.PHONE_PX)):
        for t in texts(fig):
            shown = figures.shown_px(t.get_fontsize(), fig, column)
            assert shown >= MIN_PX, f"{cid}: {t.get_text()!r} is {shown:.1f} px at {column} px"
            assert not MACHINE.search(t.get_text()), f"{cid}: machine name in {t.get_text()!r}"
        drawn, page = fig.get_tightbbox(), fig.bbox_inches  # everything drawn (titles, ticks, labels, legend)
        assert drawn.x0 >= page.x0 - 0.01 and drawn.y0 >= page.y0 - 0.01 and drawn.x1 <= page.x1 + 0.01 \
            and drawn.y1 <= page.y1 + 0.01, f"{cid}: something is clipped at {column} px: {drawn} in {page}"


def test_legend_and_title_clear_of_the_data(pair):
    """The legend (which carries the title) lies above the estimate panel, never over it."""
    cid, _, (wide, narrow) = pair
    for fig in (wide, narrow):
        fig.canvas.draw()
        top = fig.axes[0].get_window_extent()
        legend = fig.legends[0].get_window_extent()
        assert legend.y0 >= top.y1 - 1, f"{cid}: legend overlaps the data panel"
        assert fig.legends[0].get_title().get_text().startswith("Holds in ")


def test_choice_rows_in_words(pair):
    """The matrix names each choice the rule can depend on and each of its levels in words."""
    cid, doc, (wide, _) = pair
    shown = [t.get_text() for t in wide.axes[1].get_yticklabels()]
    rows = speccurve.matrix_rows(doc, cid)
    assert shown == [speccurve.row_label(name, level) for name, level in rows]
    assert {name for name, _ in rows} == set(DEPENDS_ON[BY_ID[cid].part])
    assert "_" not in " ".join(shown)


def test_svg_is_light(pair):
    """A curve and its phone variant weigh under 200 kB each, even for 768 analyses."""
    cid, _, (wide, narrow) = pair
    for fig in (wide, narrow):
        assert speccurve.svg_bytes(fig) < 200_000, cid
        assert "data:image/png" in figures.figure_svg(fig)  # the matrix is one small image


def test_paper_specification_is_marked():
    """The paper's choices are ringed on the curve and the count in the title is the rule's."""
    doc = fake_doc("caseness_lower")
    specs, verdicts, _ = speccurve.curve_data(doc, "caseness_lower")
    fig = speccurve.specification_curve(doc, "caseness_lower")
    assert fig.legends[0].get_title().get_text() == f"Holds in {sum(verdicts)} of {len(specs)} distinct analyses"
    assert "the paper's choices" in [t.get_text() for t in fig.legends[0].get_texts()]


@pytest.mark.parametrize("name", list(CHOICES))
def test_every_level_has_words(name):
    """Every level of every choice has a label in words (no underscore, not the level as typed)."""
    for level in CHOICES[name]:
        words = labels.choice_level(name, level)
        assert "_" not in words and ": " in words
        if isinstance(level, str) and "_" in level:
            assert level not in words
    assert labels.level("yates", True) == "yes" and labels.level("tails", 1) == "one-tailed"


def test_multiverse_words():
    """Captions and tables of the multiverse page name conclusions in words, and print ≥, not >=."""
    conclusions = [{"id": c.id, "rule": c.rule,
                    "flips": {"exclusion_minutes": {"pairs": 3, "flips": 1}}} for c in BY_ID.values()]
    for c in conclusions:
        caption = re.search(r"```\{table\} (.*)", mvpage.multiverse_flips(c)).group(1)
        assert c["id"] not in caption and "Which choice decides whether" in caption.replace("which", "Which")
        assert ">=" not in mvpage.rule_text(c["rule"])
        assert c["id"] not in mvpage.conclusion_link(c).split("](")[0]
    described = mvpage.described("grouping", "t-test groups: ever posted (ever_posted) or x (posted_6wk); a >= b")
    assert "(`ever_posted`)" in described and "(`posted_6wk`)" in described and "≥" in described
