"""The examples in the algorithms' docstrings run and give what they say."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["network.brokerage", "network.structural_holes", "network.centrality", "network.community",
           "network.projection", "network.partition", "network.convert", "spatial.projection", "spatial.ripley",
           "spatial.clark_evans", "spatial.clustering", "spatial.divisions", "typology", "timeline"]


@pytest.mark.parametrize("name", MODULES)
def test_it_runs_the_docstring_examples(name):
    module = importlib.import_module(f"observatory.analysis.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0


@pytest.mark.parametrize("name", MODULES)
def test_it_keeps_the_algorithms_free_of_django(name):
    source = importlib.import_module(f"observatory.analysis.{name}").__file__
    with open(source, encoding="utf-8") as handle:
        text = handle.read()
    assert "import django" not in text and "from django" not in text
