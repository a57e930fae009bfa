"""The examples in the docstrings of observatory.china run and give what they show."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["addresses", "coords", "divisions", "names", "text"]


@pytest.mark.parametrize("name", MODULES)
def test_the_docstring_examples_hold(name):
    module = importlib.import_module(f"observatory.china.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
