"""`python -m analysis reproduce` end to end, checked against an independent reading of the contract."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis import paths
from analysis.__main__ import main
from analysis.reproduce import REQUIRED_KEYS

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def run(tmp_path_factory, survey_csv):
    out = tmp_path_factory.mktemp("out")
    assert main(["reproduce", "--data", str(survey_csv), "--out", str(out)]) == 0
    return json.loads((out / "results.json").read_text()), out


def independent(csv: Path, minutes: float = 5.0) -> dict:
    """A second, deliberately plain implementation of the contract's definitions."""
    raw = pd.read_csv(csv)
    df = raw[raw["t1_duration_min"] >= minutes].copy()
    gad = {w: df[[f"{w}_gad_{i}" for i in range(1, 8)]] for w in ("t1", "t2", "t3")}
    phq = {w: df[[f"{w}_phq_{i}" for i in range(1, 9)]] for w in ("t1", "t2", "t3")}
    gad_tot = {w: gad[w].sum(axis=1).where(gad[w].notna().all(axis=1)) for w in gad}
    phq_tot = {w: phq[w].sum(axis=1).where(phq[w].notna().all(axis=1)) for w in phq}
    both = gad_tot["t1"].notna() & phq_tot["t1"].notna()
    not_case = (gad_tot["t1"] <= 7) & (phq_tot["t1"] <= 9)
    cases = int((both & ~not_case).sum())
    not_cases = int((both & not_case).sum())
    table = np.array([[cases, not_cases], [76265, 80915 - 76265]])
    chi2 = stats.chi2_contingency(table, correction=False)[0]

    def mean_half(cols):
        block = df[cols]
        return block.mean(axis=1).where(block.notna().sum(axis=1) >= len(cols) / 2)

    df["safe_3"] = 6 - df["safe_3"]
    selfeff = mean_half([f"selfeff_{i}" for i in range(1, 7)])
    helpt = mean_half(["help_same", "help_understood", "help_isolated", "help_alone", "help_info", "help_hope"])
    safe = mean_half([f"safe_{i}" for i in range(1, 7)])
    pair = pd.concat([selfeff, helpt], axis=1).dropna()
    r_help = stats.pearsonr(pair.iloc[:, 0], pair.iloc[:, 1]).statistic
    posted = safe[df["ever_posted"] == 1].dropna()
    never = safe[df["ever_posted"] == 0].dropna()
    welch = stats.levene(posted, never, center="mean").pvalue < 0.05
    t_safe = stats.ttest_ind(posted, never, equal_var=not welch).statistic
    sel = df[[f"selfeff_{i}" for i in range(1, 7)]].dropna()
    alpha = 6 / 5 * (1 - sel.var().sum() / sel.sum(axis=1).var())
    return {
        "n_t1": len(df),
        "n_t2": int((gad_tot["t2"].notna() | phq_tot["t2"].notna()).sum()),
        "n_t3": int((gad_tot["t3"].notna() | phq_tot["t3"].notna()).sum()),
        "n_excluded_speed": len(raw) - len(df),
        "n_female": int((df["gender"] == "female").sum()),
        "n_use_over_1_month": int(df["use_duration"].isin(["1_to_12_months", "1_year_or_more"]).sum()),
        "n_ever_posted": int((df["ever_posted"] == 1).sum()),
        "caseness_n_cases": cases,
        "caseness_n_not_cases": not_cases,
        "caseness_chi2": chi2,
        "caseness_cramers_v": np.sqrt(chi2 / table.sum()),
        "gad_t1_mean": gad_tot["t1"].mean(),
        "gad_t1_sd": gad_tot["t1"].std(),
        "phq_t1_sd": phq_tot["t1"].std(),
        "r_selfeff_help": r_help,
        "t_safe_total": t_safe,
        "welch_safe_total": bool(welch),
        "alpha_selfeff": alpha,
        "n_agree_help_isolated": int(df["help_isolated"].isin([4, 5]).sum()),
        "n_disagree_help_alone": int(df["help_alone"].isin([1, 2]).sum()),
        "n_agree_stigma_inferior": int(df["stigma_inferior"].isin([4, 5]).sum()),
    }


def test_manifest_has_every_contract_key_as_json_numbers(run):
    results, _ = run
    missing = [k for k in REQUIRED_KEYS if k not in results]
    assert not missing
    for key in REQUIRED_KEYS:
        value = results[key]
        if key.startswith("welch_") or key.endswith("_improper"):
            assert isinstance(value, bool)
        elif key.endswith("_warnings"):
            assert isinstance(value, list) and all(isinstance(w, str) for w in value)
        else:
            assert value is None or (isinstance(value, (int, float)) and not isinstance(value, bool)), key
    assert results["caseness_df"] == 1 and results["gad_lgcm_df"] == 1 and results["phq_lgcm_df"] == 1


def test_manifest_agrees_with_independent_implementation(run, survey_csv):
    results, _ = run
    for key, value in independent(survey_csv).items():
        if isinstance(value, (bool, np.bool_)) or key.startswith("n_") or key.startswith("caseness_n_"):
            assert results[key] == value, key
        else:
            assert results[key] == pytest.approx(value, abs=1e-9), key


def test_counts_are_integers(run):
    results, _ = run
    for key in REQUIRED_KEYS:
        if (
            key.startswith("n_")
            or key.endswith("_n")
            or key.startswith("caseness_n_")
            or key.endswith("_df")
            and "lgcm" in key
        ):
            assert isinstance(results[key], int), key


def test_tables_are_written(run):
    _, out = run
    names = sorted(p.stem for p in (out / "tables").glob("*.csv"))
    assert names == [
        "caseness",
        "correlations",
        "forums",
        "growth",
        "item_frequencies",
        "reliability",
        "sample_description",
        "ttests",
        "wave_means",
    ]
    rel = pd.read_csv(out / "tables" / "reliability.csv")
    assert list(rel["subscale"]) == ["selfeff_total", "T1_help_total", "T1_mod_total", "safe_total"]


def test_two_runs_give_identical_bytes(tmp_path, survey_csv):
    outs = [tmp_path / "a", tmp_path / "b"]
    for out in outs:
        assert main(["reproduce", "--data", str(survey_csv), "--out", str(out)]) == 0
    files = sorted(p.relative_to(outs[0]) for p in outs[0].rglob("*") if p.is_file())
    assert files
    for rel in files:
        assert (outs[0] / rel).read_bytes() == (outs[1] / rel).read_bytes(), rel


def test_options_move_the_right_numbers(tmp_path, survey_csv):
    base = tmp_path / "base"
    alt = tmp_path / "alt"
    assert main(["reproduce", "--data", str(survey_csv), "--out", str(base)]) == 0
    assert (
        main(
            [
                "reproduce",
                "--data",
                str(survey_csv),
                "--out",
                str(alt),
                "--exclusion-minutes",
                "0",
                "--yates",
                "--ttest",
                "welch",
                "--growth-missing",
                "listwise",
            ]
        )
        == 0
    )
    a = json.loads((base / "results.json").read_text())
    b = json.loads((alt / "results.json").read_text())
    assert b["n_excluded_speed"] == 0 and b["n_t1"] == a["n_t1"] + a["n_excluded_speed"]
    assert b["caseness_yates"] is True and a["caseness_yates"] is False
    assert b["welch_safe_total"] is True and b["welch_selfeff_total"] is True
    assert b["gad_lgcm_n"] < a["gad_lgcm_n"]


def test_extra_column_never_reaches_the_outputs(tmp_path, survey_frame):
    from survey_factory import write_survey

    df = survey_frame.copy()
    df["free_text"] = "ZZ-SECRET-MARKER"
    data = write_survey(df, tmp_path / "extra.csv")
    out = tmp_path / "out"
    assert main(["reproduce", "--data", str(data), "--out", str(out)]) == 0
    for path in out.rglob("*"):
        if path.is_file():
            text = path.read_text()
            assert "ZZ-SECRET-MARKER" not in text and "free_text" not in text
            assert df["record_id"].iloc[0] not in text


def test_the_data_is_data_then_ipof_data_then_the_twin(tmp_path, survey_csv, monkeypatch):
    """`--data` overrides $IPOF_DATA, which overrides the shipped twin."""

    def run(env_data, *args):
        monkeypatch.delenv("IPOF_DATA", raising=False)
        if env_data:
            monkeypatch.setenv("IPOF_DATA", str(env_data))
        out = tmp_path / f"o{len(list(tmp_path.iterdir()))}"
        assert main(["reproduce", "--out", str(out), *args]) == 0
        return json.loads((out / "results.json").read_text())["data_file"]

    assert run(None) == paths.SYNTHETIC_TWIN.name
    assert run(survey_csv) == survey_csv.name
    assert run(survey_csv, "--data", str(paths.SYNTHETIC_TWIN)) == paths.SYNTHETIC_TWIN.name
