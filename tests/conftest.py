"""Fixtures shared by the test modules that look at the session's real book."""

from __future__ import annotations

import browser_support as support
import pytest


@pytest.fixture(scope="session")
def book(tmp_path_factory) -> support.Book:
    """Return the mid-term review built once per pytest process (see ``browser_support``)."""
    return support.shared_book(tmp_path_factory)


@pytest.fixture(scope="session")
def book_2020(tmp_path_factory) -> support.Book:
    """Return the 2020 projet associatif built once per pytest process."""
    return support.shared_book_2020(tmp_path_factory)
