"""The presets and the fine-tuning recipes of the paper's Tables 6 (the LM) and 7 (the classifier), by name."""

import pytest

from ulmfit_ref.presets import CPU, PRESETS, ClassifierTraining, LMTraining, with_lm_recipe, with_recipe
from ulmfit_ref.schedule import STLR, Constant, OneCycle


def test_ulmfit_is_the_preset_itself_and_every_preset_has_one():
    for preset in PRESETS.values():
        assert with_recipe(preset.classify, "ulmfit") == preset.classify
        assert with_recipe(preset.classify, "freez+discr+stlr") == preset.classify


@pytest.mark.parametrize("name, unfreeze, factor, schedule", [
    ("full", "full", 1.0, Constant), ("full+discr", "full", 2.6, Constant), ("last", "last", 1.0, Constant),
    ("freez", "gradual", 1.0, Constant), ("freez+discr", "gradual", 2.6, Constant),
    ("freez+stlr", "gradual", 1.0, STLR), ("Freez+cos", "gradual", 1.0, OneCycle), ("chain", "chain", 1.0, Constant),
    ("chain+stlr", "chain", 1.0, STLR),
])
def test_a_recipe_sets_unfreezing_discriminative_lrs_and_the_schedule(name, unfreeze, factor, schedule):
    fit = with_recipe(CPU.classify, name)
    assert (fit.unfreeze, fit.learner.lr_factor, type(fit.schedule)) == (unfreeze, factor, schedule)
    assert (fit.epochs, fit.bs) == (CPU.classify.epochs, CPU.classify.bs)
    assert fit.lr == (CPU.classify.lr if factor > 1 else CPU.classify.flat_lr)  # the paper: 0.01 with discr, else 0.001


@pytest.mark.parametrize("name", ["fast", "freez+stlr+cos", "freez+discr+discr", "discr", "", "chain+discr"])
def test_an_unknown_recipe_says_how_recipes_are_named(name):
    with pytest.raises(ValueError, match="unknown recipe .*freez, full, last, chain.*discr"):
        with_recipe(CPU.classify, name)


def test_lm_recipes_switch_discriminative_lrs_and_stlr_and_none_trains_nothing():
    for preset in PRESETS.values():
        assert with_lm_recipe(preset.fine_tune, "ulmfit") == preset.fine_tune
    fit = CPU.fine_tune
    full, discr = with_lm_recipe(fit, "full"), with_lm_recipe(fit, "Full+discr")
    assert (full.learner.lr_factor, type(full.schedule)) == (1.0, Constant)
    assert (discr.learner.lr_factor, type(discr.schedule)) == (2.6, Constant)
    assert (full.epochs, full.head_epochs, full.lr, full.train_tokens) == (fit.epochs, 1, fit.lr, fit.train_tokens)
    assert (with_lm_recipe(fit, "none").epochs, with_lm_recipe(fit, "none").head_epochs) == (0, 0)
    with pytest.raises(ValueError, match="unknown LM recipe 'full\\+stlr'.*none, full, full\\+discr"):
        with_lm_recipe(fit, "full+stlr")
    with pytest.raises(ValueError, match="epochs"):
        LMTraining(bs=8, bptt=8, epochs=-1, lr=0.1)


@pytest.mark.parametrize("min_steps, steps_per_epoch, epochs", [
    (0, 2, (1, 1, 4)), (12, 2, (1, 1, 4)), (13, 2, (2, 2, 8)), (300, 2, (25, 25, 100)), (300, 375, (1, 1, 4)),
])
def test_a_small_data_set_trains_every_stage_longer_by_one_factor(min_steps, steps_per_epoch, epochs):
    fit = ClassifierTraining(bs=64, epochs=(1, 1, 4), lr=0.01, min_steps=min_steps)
    assert fit.epochs_for(steps_per_epoch) == epochs
    assert sum(epochs) * steps_per_epoch >= min_steps


def test_a_classifier_training_checks_its_values():
    with pytest.raises(ValueError, match="unfreeze"):
        ClassifierTraining(bs=8, epochs=(1,), lr=0.1, unfreeze="thaw")
    with pytest.raises(ValueError, match="epochs"):
        ClassifierTraining(bs=8, epochs=(), lr=0.1)
    with pytest.raises(ValueError, match="min_steps"):
        ClassifierTraining(bs=8, epochs=(1,), lr=0.1, min_steps=-1)
