"""Tests for ulmfit_ref.schedule against values computed by hand from the formulas."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ulmfit_ref.schedule import STLR, Constant, OneCycle


def test_stlr_matches_the_papers_equation_by_hand():
    # T = 20, cut_frac = 0.1 -> cut = 2; the fall lasts cut * (1/cut_frac - 1) = 18 steps.
    stlr = STLR(cut_frac=0.1, ratio=32)
    assert stlr.lr_mult(0, 20) == pytest.approx(1 / 32)
    assert stlr.lr_mult(1, 20) == pytest.approx(16.5 / 32)  # p = 0.5
    assert stlr.lr_mult(2, 20) == pytest.approx(1.0)  # p = 1 at the cut
    assert stlr.lr_mult(11, 20) == pytest.approx(16.5 / 32)  # p = 1 - 9/18
    assert stlr.lr_mult(19, 20) == pytest.approx((1 + 31 / 18) / 32)  # p = 1/18
    assert stlr.lr_mult(20, 20) == pytest.approx(1 / 32)  # p = 0 at t = T


def test_seed_use_clr_maps_onto_the_paper():
    assert STLR.from_clr(32, 10) == STLR(cut_frac=0.1, ratio=32)
    # the seed's LM head stage, use_clr=(32, 2), over 10 steps: cut = 5.
    clr = STLR.from_clr(32, 2)
    assert [clr.lr_mult(t, 10) for t in (0, 5, 7)] == pytest.approx([1 / 32, 1.0, (1 + 0.6 * 31) / 32])


@given(st.integers(1, 500), st.sampled_from([(32, 10), (8, 3), (20, 10), (32, 2)]))
def test_stlr_stays_between_lr_over_ratio_and_lr(total, clr):
    stlr = STLR.from_clr(*clr)
    mults = [stlr.lr_mult(t, total) for t in range(total)]
    assert min(mults) >= 1 / stlr.ratio - 1e-12 and max(mults) <= 1 + 1e-12
    assert mults[0] == pytest.approx(1 / stlr.ratio)


def test_stlr_short_fit_still_rises_for_one_step():
    stlr = STLR()
    assert stlr.lr_mult(0, 5) == pytest.approx(1 / 32)
    assert stlr.lr_mult(1, 5) == pytest.approx(1.0)


def test_one_cycle_matches_fastai1_by_hand():
    # T = 10, pct_start = 0.3 -> 3 rising steps, then 7 falling.
    cycle = OneCycle(pct_start=0.3, div=25, div_final=25e4, moms=(0.95, 0.85))
    assert cycle.lr_mult(0, 10) == pytest.approx(0.04)
    assert cycle.lr_mult(1, 10) == pytest.approx(1 - 0.96 / 2 * 1.5)  # cos(pi/3) = 0.5
    assert cycle.lr_mult(2, 10) == pytest.approx(1 - 0.96 / 2 * 0.5)  # cos(2pi/3) = -0.5
    assert cycle.lr_mult(3, 10) == pytest.approx(1.0)
    assert cycle.lr_mult(9, 10) == pytest.approx(0.0495193680, rel=1e-8)  # 4e-6 + (1 - 4e-6) * (1 + cos(6pi/7)) / 2
    assert cycle.momentum(0, 10) == pytest.approx(0.95)
    assert cycle.momentum(1, 10) == pytest.approx(0.925)
    assert cycle.momentum(3, 10) == pytest.approx(0.85)
    assert OneCycle().momentum(3, 10) is None


def test_constant_is_one():
    assert Constant().lr_mult(7, 10) == 1.0 and Constant().momentum(7, 10) is None


@pytest.mark.parametrize("make", [lambda: STLR(cut_frac=0), lambda: STLR(ratio=0.5), lambda: STLR.from_clr(32, 1),
                                  lambda: OneCycle(pct_start=1), lambda: OneCycle(div=0.1),
                                  lambda: OneCycle(moms=(1.2, 0.8))])
def test_bad_schedule_arguments_are_refused(make):
    with pytest.raises(ValueError):
        make()


@pytest.mark.parametrize("step, total", [(-1, 10), (0, 0)])
def test_bad_positions_are_refused(step, total):
    for schedule in (Constant(), STLR(), OneCycle()):
        with pytest.raises(ValueError):
            schedule.lr_mult(step, total)
