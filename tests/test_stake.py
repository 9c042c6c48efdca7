"""ARR at stake from competing risks: the Aalen-Johansen fit checked by hand, a planted truth
recovered, the CRM's close dates first, usage bands, and the fallback when nothing can be timed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import lognorm

from playbook.analyses.stake import cumulative_incidence, open_pipeline, won_within_horizon
from playbook.data.notes import Note

AS_OF = pd.Timestamp("2026-09-30")
HORIZON_DAYS = (AS_OF + pd.DateOffset(months=6) - AS_OF).days  # 181: six calendar months


def test_aalen_johansen_by_hand():
    """Seven deals: won at 10, lost at 10 (a tie), won at 20, open at 20 (censored there), lost at
    30, open at 40, won at 50. At each close: F_k += S(just before) x d_k / at risk."""
    fit = cumulative_incidence(
        np.array([10, 10, 20, 20, 30, 40, 50]),
        np.array(["won", "lost", "won", "open", "lost", "open", "won"]),
    )
    # 10: 7 at risk, one won and one lost -> F_won = F_lost = 1/7, S = 5/7
    # 20: 5 at risk, one won -> F_won = 1/7 + 5/7 x 1/5 = 2/7, S = 4/7 (the open deal leaves after)
    # 30: 3 at risk, one lost -> F_lost = 1/7 + 4/7 x 1/3 = 1/3, S = 8/21
    # 50: 1 at risk, won -> F_won = 2/7 + 8/21 = 2/3, S = 0
    won, lost = fit.at([0, 10, 15, 20, 30, 45, 50, 99])
    assert won == pytest.approx([0, 1 / 7, 1 / 7, 2 / 7, 2 / 7, 2 / 7, 2 / 3, 2 / 3])
    assert lost == pytest.approx([0, 1 / 7, 1 / 7, 1 / 7, 1 / 3, 1 / 3, 1 / 3, 1 / 3])
    assert (fit.n_won, fit.n_lost, fit.longest_cycle) == (3, 2, 50.0)
    # P(won within h | open at a) = [F_won(a + h) - F_won(a)] / S(a)
    assert fit.won_within([0], 15) == pytest.approx([1 / 7])
    assert fit.won_within([20], 25) == pytest.approx([0.0])  # nothing is won between 20 and 45
    assert fit.won_within([20], 30) == pytest.approx([(2 / 3 - 2 / 7) / (4 / 7)])
    assert fit.won_eventually([35]) == pytest.approx([1.0])  # the one deal left past 35 was won
    assert fit.won_within([50, 60], 1000) == pytest.approx([0.0, 0.0])  # none that old is left


def hand_aalen_johansen(days: np.ndarray, status: np.ndarray, at: np.ndarray):
    """The estimator written out: S just before each distinct time, times the share closing there."""
    won = lost = 0.0
    survival = 1.0
    f_won, f_lost = np.zeros(len(at)), np.zeros(len(at))
    for t in np.unique(days):
        at_risk = (days >= t).sum()
        d_won, d_lost = ((days == t) & (status == "won")).sum(), ((days == t) & (status == "lost")).sum()
        won += survival * d_won / at_risk
        lost += survival * d_lost / at_risk
        survival *= 1 - (d_won + d_lost) / at_risk
        f_won[at >= t], f_lost[at >= t] = won, lost
    return f_won, f_lost


@pytest.mark.parametrize("seed", range(3))
def test_statsmodels_matches_the_estimator_written_out(seed):
    rng = np.random.default_rng(seed)
    days = rng.integers(1, 60, 200).astype(float)  # many ties
    status = rng.choice(["won", "lost", "open"], 200, p=[0.3, 0.5, 0.2])
    at = np.arange(0, 70, 0.5)
    fit = cumulative_incidence(days, status)
    expected_won, expected_lost = hand_aalen_johansen(days, status, at)
    won, lost = fit.at(at)
    assert won == pytest.approx(expected_won, abs=1e-12) and lost == pytest.approx(expected_lost, abs=1e-12)


def planted_crm(rng, *, n: int, win_rate: float, won_days: float, lost_days: float, sigma: float = 0.5):
    """Deals opened at a steady pace over three years; lognormal cycles; cut at AS_OF."""
    opened = AS_OF - pd.to_timedelta(rng.uniform(0, 3 * 365, n), unit="D").round("D")
    won = rng.uniform(size=n) < win_rate
    cycle = np.where(won, won_days, lost_days) * rng.lognormal(0, sigma, n)
    closed = opened + pd.to_timedelta(cycle, unit="D")
    still_open = closed > AS_OF
    return pd.DataFrame(
        {
            "opportunity_id": [f"O{i}" for i in range(n)],
            "account_id": "A1",
            "opened_at": opened,
            "outcome": np.where(still_open, "open", np.where(won, "won", "lost")),
            "closed_at": closed.where(~still_open),
            "amount": 1000.0,
        }
    )


def true_won_within(age, *, win_rate, won_days, lost_days, sigma=0.5, h=HORIZON_DAYS):
    """P(won within h | open at age) from the planted lognormal cycles."""
    g_won, g_lost = lognorm(sigma, scale=won_days).cdf, lognorm(sigma, scale=lost_days).cdf
    still_open = win_rate * (1 - g_won(age)) + (1 - win_rate) * (1 - g_lost(age))
    return win_rate * (g_won(age + h) - g_won(age)) / still_open


@pytest.mark.parametrize("won_days, lost_days", [(150, 40), (90, 300), (90, 90)])
def test_a_planted_chance_of_winning_within_the_horizon_is_recovered(won_days, lost_days):
    """Where losses close fast, the deals still open are mostly future wins: a 100-day-old deal is
    worth far more than the 35% win rate (the old method, win rate x chance of closing, could
    never say so); where wins close fast, far less."""
    crm = planted_crm(
        np.random.default_rng(7), n=20_000, win_rate=0.35, won_days=won_days, lost_days=lost_days
    )
    history = crm.assign(
        days=np.where(
            crm["outcome"] == "open",
            (AS_OF - crm["opened_at"]).dt.days,
            (crm["closed_at"] - crm["opened_at"]).dt.days,
        )
    )
    fit = cumulative_incidence(history["days"].to_numpy(), history["outcome"].to_numpy())
    ages = np.array([0.0, 30, 100, 200])
    truth = true_won_within(ages, win_rate=0.35, won_days=won_days, lost_days=lost_days)
    assert fit.won_within(ages, HORIZON_DAYS) == pytest.approx(truth, abs=0.04)
    at_100 = fit.won_within([100.0], HORIZON_DAYS)[0]
    if lost_days < won_days:
        assert at_100 > 0.6
    elif lost_days > won_days:
        assert at_100 < 0.2


def test_the_crm_close_date_decides_when_and_stale_deals_count_zero():
    rng = np.random.default_rng(3)
    crm = planted_crm(rng, n=400, win_rate=0.4, won_days=60, lost_days=60)
    extra = pd.DataFrame(
        {
            "opportunity_id": ["dated_in", "dated_out", "ancient", "ancient_dated"],
            "account_id": "A1",
            "opened_at": [AS_OF - pd.Timedelta(days=20)] * 2 + [AS_OF - pd.Timedelta(days=2000)] * 2,
            "outcome": "open",
            "closed_at": pd.NaT,
            "amount": 1000.0,
            "expected_close_at": [AS_OF + pd.Timedelta(days=d) for d in (30, 400)] + [pd.NaT, AS_OF],
        }
    )
    crm = pd.concat([crm.assign(expected_close_at=pd.NaT), extra], ignore_index=True)
    deals, fits, source, notes = won_within_horizon(crm, as_of=AS_OF, horizon_months=6)
    chance = deals.set_index("opportunity_id")["won_within"]
    assert chance["dated_in"] == pytest.approx(fits["all"].won_eventually([20.0])[0])
    assert 0.3 < chance["dated_in"] < 0.6 and chance["dated_out"] == 0.0
    past = deals.set_index("opportunity_id")["past_every_cycle"]
    assert chance["ancient"] == chance["ancient_dated"] == 0.0 and past["ancient"] and past["ancient_dated"]
    assert not past["dated_out"]  # ruled out by its close date, not by its age
    assert Note("stale_open_deals", deals=int(deals["past_every_cycle"].sum())) in notes
    assert source.code == "competing_risks" and source.value("dated") == 3


def test_usage_bands_are_fitted_apart_and_a_thin_band_pools():
    rng = np.random.default_rng(5)
    high = planted_crm(rng, n=600, win_rate=0.7, won_days=90, lost_days=90)
    low = planted_crm(rng, n=600, win_rate=0.1, won_days=90, lost_days=90)
    crm = pd.concat([high, low.assign(opportunity_id=low["opportunity_id"] + "b")], ignore_index=True)
    band = pd.Series(["at_or_above"] * 600 + ["below"] * 600, index=crm["opportunity_id"])
    deals, fits, source, _ = won_within_horizon(crm, as_of=AS_OF, horizon_months=6, band=band)
    assert source.code == "competing_risks_by_usage_band" and set(fits) == {"all", "at_or_above", "below"}
    young = deals[deals["age_days"] < 30]
    by_band = young.groupby("band")["won_within"].mean()
    assert by_band["at_or_above"] > 0.5 > 0.15 > by_band["below"]
    # A band with fewer than 5 won deals with a close date: every deal valued by one fit.
    thin = crm[~((crm["opportunity_id"].str.endswith("b")) & (crm["outcome"] == "won"))]
    deals, fits, source, notes = won_within_horizon(thin, as_of=AS_OF, horizon_months=6, band=band)
    assert source.code == "competing_risks" and set(deals["band"]) == {"all"}
    assert Note("too_few_won_cycles_by_band", needed=5) in notes


def test_with_too_few_won_cycles_the_historical_rate_is_labelled_an_upper_bound():
    crm = pd.DataFrame(
        {
            "opportunity_id": ["W1", "L1", "L2", "L3", "O1", "O2"],
            "account_id": "A1",
            "opened_at": [AS_OF - pd.Timedelta(days=100)] * 6,
            "outcome": ["won", "lost", "lost", "lost", "open", "open"],
            "closed_at": [AS_OF - pd.Timedelta(days=10)] * 4 + [pd.NaT] * 2,
            "amount": 1000.0,
            "expected_close_at": [pd.NaT] * 5 + [AS_OF + pd.Timedelta(days=300)],
        }
    )
    requests = pd.DataFrame({"account_id": ["A1"], "feature": ["SSO"]})
    pipeline = open_pipeline(crm, requests, pd.Series([True]), set(), as_of=AS_OF, horizon_months=6)
    assert pipeline.deals["won_within"].tolist() == [0.25, 0.0]  # O2 closes after the horizon
    assert pipeline.source == Note("historical_win_rate_untimed", closed=4, dated=1)
    assert pipeline.expected == pytest.approx(250.0) and pipeline.expected_wins == pytest.approx(0.25)
    with pytest.raises(ValueError, match="horizon_months"):
        open_pipeline(crm, requests, pd.Series([True]), set(), as_of=AS_OF, horizon_months=0)
