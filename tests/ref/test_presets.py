"""The presets and the classifier recipes of the paper's Table 6, by name."""

import pytest

from ulmfit_ref.presets import CPU, PRESETS, ClassifierTraining, with_recipe
from ulmfit_ref.schedule import STLR, Constant, OneCycle


def test_ulmfit_is_the_preset_itself_and_every_preset_has_one():
    for preset in PRESETS.values():
        assert with_recipe(preset.classify, "ulmfit") == preset.classify
        assert with_recipe(preset.classify, "freez+discr+stlr") == preset.classify


@pytest.mark.parametrize("name, unfreeze, factor, schedule", [
    ("full", "full", 1.0, Constant), ("full+discr", "full", 2.6, Constant), ("last", "last", 1.0, Constant),
    ("freez", "gradual", 1.0, Constant), ("freez+discr", "gradual", 2.6, Constant),
    ("freez+stlr", "gradual", 1.0, STLR), ("Freez+cos", "gradual", 1.0, OneCycle),
])
def test_a_recipe_sets_unfreezing_discriminative_lrs_and_the_schedule(name, unfreeze, factor, schedule):
    fit = with_recipe(CPU.classify, name)
    assert (fit.unfreeze, fit.learner.lr_factor, type(fit.schedule)) == (unfreeze, factor, schedule)
    assert (fit.epochs, fit.lr, fit.bs) == (CPU.classify.epochs, CPU.classify.lr, CPU.classify.bs)


@pytest.mark.parametrize("name", ["fast", "freez+stlr+cos", "freez+discr+discr", "discr", ""])
def test_an_unknown_recipe_says_how_recipes_are_named(name):
    with pytest.raises(ValueError, match="unknown recipe .*freez, full, last.*discr"):
        with_recipe(CPU.classify, name)


def test_a_classifier_training_checks_its_values():
    with pytest.raises(ValueError, match="unfreeze"):
        ClassifierTraining(bs=8, epochs=(1,), lr=0.1, unfreeze="thaw")
    with pytest.raises(ValueError, match="epochs"):
        ClassifierTraining(bs=8, epochs=(), lr=0.1)
