"""Scale scores and their reliability.

Conventions (survey data contract, "Definitions"):

* clinical totals (GAD-7, PHQ-8) are sums of all items, computed only when
  every item at that wave is present (no prorating);
* subscales are means of the answered items when at least half of the items
  are answered, after reverse-keying (``safe_3`` -> 6 - x); with the option
  ``scoring="complete"`` only respondents who answered every item get a score;
* Cronbach's alpha uses the respondents with every item of the subscale.
"""

from __future__ import annotations

import pandas as pd

from . import contract


def clinical_total(data: pd.DataFrame, scale: str, wave: str) -> pd.Series:
    """Sum score of ``scale`` ('gad' or 'phq') at ``wave``; NaN unless all items are present."""
    items = data[contract.wave_items(scale, wave)]
    return items.sum(axis=1, min_count=items.shape[1]).where(items.notna().all(axis=1))


def clinical_totals(data: pd.DataFrame, scale: str) -> pd.DataFrame:
    """Wave totals of one clinical scale, one column per wave (``t1``, ``t2``, ``t3``)."""
    return pd.DataFrame({wave: clinical_total(data, scale, wave) for wave in contract.WAVES})


def keyed_items(data: pd.DataFrame, items: tuple[str, ...] | list[str]) -> pd.DataFrame:
    """The items with reverse-keyed ones reversed (c - x, c from ``contract.REVERSED_ITEMS``)."""
    out = data[list(items)].copy()
    for item, c in contract.REVERSED_ITEMS.items():
        if item in out:
            out[item] = c - out[item]
    return out


def subscale_mean(items: pd.DataFrame, scoring: str = "half") -> pd.Series:
    """Mean of the answered items when at least half are answered (``scoring="half"``, the contract)
    or only when all are (``"complete"``), else NaN."""
    answered = items.notna().sum(axis=1)
    if scoring == "half":
        enough = answered * 2 >= items.shape[1]
    elif scoring == "complete":
        enough = answered == items.shape[1]
    else:
        raise ValueError(f"scoring must be 'half' or 'complete', not {scoring!r}")
    return items.mean(axis=1).where(enough)


def subscales(data: pd.DataFrame, scoring: str = "half") -> pd.DataFrame:
    """``selfeff_total``, ``T1_help_total``, ``T1_mod_total`` and ``safe_total`` per respondent."""
    return pd.DataFrame(
        {name: subscale_mean(keyed_items(data, items), scoring) for name, items in contract.SUBSCALES.items()}
    )


def cronbach_alpha(items: pd.DataFrame) -> float:
    """Cronbach's alpha, k/(k-1) * (1 - sum of item variances / variance of the sum).

    Variances use ddof=1; only complete cases (every item present) enter.
    NaN when fewer than two complete cases or a zero-variance total.
    """
    complete = items.dropna()
    k = complete.shape[1]
    if k < 2 or len(complete) < 2:
        return float("nan")
    total_var = complete.sum(axis=1).var(ddof=1)
    if total_var == 0:
        return float("nan")
    return float(k / (k - 1) * (1 - complete.var(ddof=1).sum() / total_var))


def reliability_table(data: pd.DataFrame, scoring: str = "half") -> pd.DataFrame:
    """Multimedia Appendix 3: per subscale, its items, n, mean and SD of the score, and alpha.

    n, mean and SD describe the subscale score (at-least-half rule); ``alpha_n``
    counts the complete cases that alpha uses.
    """
    scores = subscales(data, scoring)
    rows = []
    for name, items in contract.SUBSCALES.items():
        keyed = keyed_items(data, items)
        rows.append(
            {
                "subscale": name,
                "items": " ".join(items),
                "n_items": len(items),
                "n": int(scores[name].notna().sum()),
                "mean": float(scores[name].mean()),
                "sd": float(scores[name].std(ddof=1)),
                "alpha_n": int(len(keyed.dropna())),
                "alpha": cronbach_alpha(keyed),
            }
        )
    return pd.DataFrame(rows)


def agreement_counts(values: pd.Series) -> dict[str, int]:
    """Agree (4 or 5) and disagree (1 or 2) counts of a 1-5 Likert item."""
    return {"agree": int(values.isin([4, 5]).sum()), "disagree": int(values.isin([1, 2]).sum())}
