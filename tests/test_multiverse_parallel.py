"""The multiverse at scale (issue 19): the same bytes serially, with --jobs 2 and on a Dask LocalCluster;
the joint test's observed shares are the multiverse's own verdicts."""

from __future__ import annotations

import pytest

from analysis import conclusions, jointtest
from analysis.engine import DEPENDS_ON
from analysis.multiverse import FILENAME, PARQUET, run_multiverse, write_multiverse
from analysis.store import Session
from survey_factory import make_survey, write_survey

#: A few dimensions: two chunks (speed exclusions), the t tests' forms, the multiplicity correction.
SMALL = {"exclusion_minutes": (5.0, 10.0), "ttest": ("levene", "brunner_munzel"), "multiplicity": ("none", "holm"),
         "correlation": ("pearson", "spearman")}
PERMUTATIONS = 12


@pytest.fixture(scope="module")
def small_path(tmp_path_factory):
    return write_survey(make_survey(120, seed=21), tmp_path_factory.mktemp("par") / "survey.csv")


@pytest.fixture(scope="module")
def serial(small_path, tmp_path_factory):
    out = tmp_path_factory.mktemp("serial")
    doc = write_multiverse(small_path, out, SMALL, permutations=PERMUTATIONS)
    return out, doc


def _bytes(folder):
    return (folder / FILENAME).read_bytes(), (folder / PARQUET).read_bytes()


def test_jobs_2_writes_the_same_bytes(small_path, serial, tmp_path):
    out, _ = serial
    write_multiverse(small_path, tmp_path, SMALL, jobs=2, permutations=PERMUTATIONS)
    assert _bytes(tmp_path) == _bytes(out)


def test_joint_test_observed_shares_are_the_multiverse_verdicts(serial):
    """The joint test recomputes each covered conclusion's analyses by its closed forms: on the observed
    data its count of analyses that hold equals the multiverse's count over distinct analyses."""
    _, doc = serial
    by_id = {c["id"]: c for c in doc["conclusions"]}
    assert {j["id"] for j in doc["joint_tests"]} == {cid for f in jointtest.FAMILIES.values() for cid in f["ids"]}
    for j in doc["joint_tests"]:
        c = by_id[j["id"]]
        assert j["n_analyses"] == c["n_distinct"], j["id"]
        assert j["observed_share"] == pytest.approx(c["holds_in"]), j["id"]
        assert j["permutations"] == PERMUTATIONS
        assert 1 / (1 + PERMUTATIONS) <= j["p"] <= 1
        read = [d for d in SMALL if d in DEPENDS_ON[conclusions.BY_ID[j["id"]].part]]
        assert c["reads_choices"] == read


def test_joint_test_p_counts_the_permutations_at_least_as_extreme(small_path):
    survey = Session(small_path, store=None).memo.survey
    dims = {"exclusion_minutes": (5.0,)}
    tests = jointtest.joint_tests(survey, dims, permutations=9, chunk=4)
    frames = jointtest.Frames(survey, dims)
    for family in jointtest.FAMILIES:
        null = [jointtest._shares(frames, dims, family, k) for k in range(9)]
        for j in (t for t in tests if t["family"] == family):
            shares = [n[j["id"]][0] / n[j["id"]][1] for n in null]
            assert j["p"] == pytest.approx((1 + sum(s >= j["observed_share"] for s in shares)) / 10)


@pytest.mark.slow
def test_a_dask_local_cluster_writes_the_same_bytes(small_path, serial, tmp_path):
    from dask.distributed import LocalCluster

    out, _ = serial
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        write_multiverse(small_path, tmp_path, SMALL, scheduler=cluster.scheduler_address, permutations=PERMUTATIONS)
    assert _bytes(tmp_path) == _bytes(out)


def test_runs_without_a_survey_object_only_through_its_arguments(small_path):
    doc = run_multiverse(Session(small_path, store=None), {"exclusion_minutes": (5.0,)})
    assert doc["n_specifications"] == 1 and "joint_tests" not in doc
