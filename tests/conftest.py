"""Fixtures shared by the test modules that look at the session's real book."""

from __future__ import annotations

import browser_support as support
import pytest


@pytest.fixture(scope="session")
def book(tmp_path_factory) -> support.Book:
    """Return the book built once per pytest process (see ``browser_support``)."""
    return support.shared_book(tmp_path_factory)


@pytest.fixture(scope="session")
def reports(book) -> dict[str, support.PageReport]:
    """Return every page's browser report (one Chromium pass per pytest process)."""
    return {r.path: r for r in support.survey(book)}


@pytest.fixture(scope="session")
def report_2020(tmp_path_factory) -> support.Book:
    """Return the projet-2020 report built once per pytest process (no measurement file)."""
    return support.shared_book(tmp_path_factory, "projet-2020")
