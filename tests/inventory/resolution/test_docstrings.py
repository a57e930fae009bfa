"""The examples in the docstrings of entity resolution's pure steps run and give what they say."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["normalisation"]


@pytest.mark.parametrize("name", MODULES)
def test_it_runs_the_docstring_examples(name):
    module = importlib.import_module(f"observatory.inventory.resolution.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
