"""Disclosure control on a survey built with small cells: every rendered table, the figures, the report."""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd
import pytest

from analysis import correlations, disclosure, growth, sample, scales, ttests
from analysis.engine import analysis_frame
from analysis.loading import speed_included
from bookkit import claims, figures
from survey_factory import make_survey

MIN = disclosure.settings()["min_cell"]


def shown_int(v) -> bool:
    return isinstance(v, (int, np.integer)) or (isinstance(v, float) and v == int(v))


@pytest.fixture(scope="module")
def small_survey(tmp_path_factory):
    """The survey as the pipeline sees it (written as CSV, loaded and validated)."""
    from analysis.loading import load_survey
    from survey_factory import write_survey

    df = make_survey(200, seed=3)
    df.loc[:2, "gender"] = "other"  # 3 respondents: a small cell
    df.loc[3:12, "gender"] = "non_binary"
    df.loc[df.index[20:], "gender"] = df.loc[df.index[20:], "gender"].replace({"other": "female"})
    df.loc[:4, "forum"] = "Robin"  # 5 in one forum
    df.loc[5:, "forum"] = df.loc[5:, "forum"].replace({"Robin": "Magpie"})
    df["t1_duration_min"] = 20.0
    df["reason_someone_else"] = 0
    df.loc[:1, "reason_someone_else"] = 1  # 2 yes
    df["reason_self"] = 1
    df.loc[:3, "reason_self"] = 0  # 4 no: the complement is small
    df["ever_posted"] = 1
    df.loc[:5, "ever_posted"] = 0  # 6 never-posters: a small group
    df.loc[:5, "posted_6wk"] = 0
    data = load_survey(write_survey(df, tmp_path_factory.mktemp("small") / "small.csv")).data
    return data.loc[speed_included(data)]


def test_thresholds_come_from_the_configuration():
    assert disclosure.settings() == {"min_cell": 8, "min_group": 10}


@pytest.mark.parametrize(
    "counts,expected",
    [
        ([100, 3, 50], [False, True, True]),  # lone small cell: the next smallest goes too
        ([100, 3, 5, 50], [False, True, True, False]),
        ([100, 0, 50], [False, False, False]),  # zero is not disclosive
        ([7, 8, 9], [True, True, False]),
    ],
)
def test_suppression_mask(counts, expected):
    assert disclosure.suppression_mask(counts).tolist() == expected


def test_sample_description_suppresses_and_cannot_be_recovered(small_survey):
    data = small_survey
    table = sample.description_table(data)
    shown = disclosure.protect_description(table, len(data))
    assert shown.loc[(shown.variable == "gender") & (shown.category == "other"), "n"].item() == disclosure.SMALL_COUNT
    for var, part in shown[shown.category != "yes"].groupby("variable"):
        hidden = part["n"].map(lambda v: not shown_int(v)).sum()
        assert hidden != 1, var  # a single hidden cell would follow from the total
        for v in part["n"]:
            assert not shown_int(v) or v == 0 or v >= MIN
    assert shown.loc[shown.variable == "reason_someone_else", "n"].item() == disclosure.SMALL_COUNT
    assert shown.loc[shown.variable == "reason_self", "n"].item() == disclosure.SECONDARY  # its complement is 4
    assert shown.loc[shown.variable == "reason_self", "percent"].item() == disclosure.SECONDARY


def test_forum_table_suppresses_small_forums(small_survey):
    forums = sample.forum_counts(small_survey)
    shown = disclosure.protect_columns(forums, ["n_t1", "n_t2", "n_t3"])
    robin = shown.set_index("forum").loc["Robin"]
    assert robin["n_t1"] == disclosure.SMALL_COUNT
    for col in ("n_t1", "n_t2", "n_t3"):
        assert sum(not shown_int(v) for v in shown[col]) != 1


def test_ttests_withhold_small_groups(small_survey):
    frame = analysis_frame(small_survey)
    raw = ttests.ttest_table(frame)
    assert (raw["n_never"] < 10).all()
    shown = disclosure.withhold_small_groups(raw, {"n_never": ["mean_never", "sd_never", "t", "d"]})
    assert (shown[["mean_never", "sd_never", "t", "d"]] == disclosure.SMALL_GROUP).all().all()


def test_reliability_and_correlations_withhold_small_groups(small_survey):
    tiny = small_survey.head(9)
    rel = disclosure.withhold_small_groups(scales.reliability_table(tiny), {"n": ["mean", "sd"], "alpha_n": ["alpha"]})
    assert (rel[["mean", "sd", "alpha"]] == disclosure.SMALL_GROUP).all().all()
    corr = correlations.correlation_table(analysis_frame(tiny))
    shown = disclosure.withhold_small_groups(corr, {"n": ["r", "p"]})
    assert (shown["r"] == disclosure.SMALL_GROUP).all()


def test_figures_draw_nothing_from_small_groups(small_survey):
    data = small_survey
    shown = disclosure.protect_description(sample.description_table(data), len(data))
    fig = figures.sample_description_figure(shown, variables=("gender",))
    ax = fig.axes[0]
    widths = dict(zip([t.get_text() for t in ax.get_yticklabels()], [b.get_width() for b in ax.patches], strict=False))
    assert widths["Other"] == 0 and widths["Female"] > 0  # a small group is named but never drawn
    assert "withheld" in {t.get_text() for t in ax.texts}
    summary = growth.observed_wave_summary(
        pd.DataFrame({"t1": np.arange(50.0), "t2": [1.0] * 5 + [np.nan] * 45, "t3": np.arange(50.0)})
    )
    fig = figures.growth_figure([("x", summary, np.array([1.0, 2.0, 3.0]))])
    points = fig.axes[0].lines[1].get_xdata()  # the observed means (the first line is the trajectory)
    assert list(points) == [0.0, 2.0]


def test_report_suppresses_small_reproduced_counts():
    results = {"n_t1": 791, "n_forum_Robin": 5, "n_female": 3}
    table = claims.report(results).set_index("id")
    assert table.loc["C014", "reproduced"] == disclosure.SMALL_COUNT  # Robin
    assert table.loc["C018", "reproduced"] == disclosure.SECONDARY  # percent of a small count
    assert table.loc["C014", "status"] == "differs"


def test_figures_are_byte_reproducible_without_timestamps():
    summary = growth.observed_wave_summary(
        pd.DataFrame({"t1": np.arange(30.0), "t2": np.arange(30.0), "t3": np.arange(30.0)})
    )
    images = []
    for _ in range(2):
        buf = io.BytesIO()
        figures.growth_figure([("x", summary, np.array([1.0, 2.0, 3.0]))]).savefig(buf, format="png")
        images.append(buf.getvalue())
    assert images[0] == images[1]
    assert b"tIME" not in images[0] and not re.search(rb"20\d\d-\d\d-\d\d", images[0])


def test_a_new_count_key_is_suppressed_by_its_declared_kind_whatever_its_name(monkeypatch):
    """Disclosure control reads the kind the engine declares, not the key's spelling: a count of
    respondents under any name prints as '<8' when small, and a percentage of it is withheld; the same
    value declared as a statistic prints as a number; an undeclared key fails."""
    from analysis import kinds
    from bookkit import fmt

    declared = dict(kinds.declared())
    declared["respondents_who_blinked"] = kinds.COUNT
    declared["blink_share"] = kinds.percent("respondents_who_blinked")
    declared["blink_score"] = kinds.estimate(1)
    monkeypatch.setattr(kinds, "declared", lambda: declared)
    values = {"respondents_who_blinked": 3, "blink_share": 0.4, "blink_score": 3}
    assert fmt.format_value("respondents_who_blinked", values) == "<8"
    assert fmt.format_value("blink_share", values) == fmt.SUPPRESSED
    assert fmt.format_value("blink_score", values) == "3.0"
    assert fmt.format_value("respondents_who_blinked", {"respondents_who_blinked": 12}) == "12"
    with pytest.raises(kinds.UndeclaredKey, match="n_unheard_of"):
        fmt.format_value("n_unheard_of", {"n_unheard_of": 3})
    with pytest.raises(kinds.UndeclaredKey, match="n_unheard_of"):
        kinds.check({"n_t1": 1, "n_unheard_of": 3})


def test_every_key_the_engine_returns_is_declared_and_every_declared_key_is_returned(survey_csv):
    from analysis import kinds
    from analysis.engine import run_analysis
    from analysis.loading import load_survey

    values = run_analysis(load_survey(survey_csv)).values
    assert set(values) == set(kinds.declared())


def test_withheld_cells_are_typed_markers():
    from analysis.disclosure import SECONDARY, SMALL_COUNT, SMALL_GROUP, Withheld

    assert [str(m) for m in (SMALL_COUNT, SECONDARY, SMALL_GROUP)] == ["<8", "suppressed", "withheld"]
    with pytest.raises(ValueError):
        Withheld("because")
