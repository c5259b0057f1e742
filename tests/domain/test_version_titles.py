"""A version's title (domain/rules/naming.py): a few words, never cut mid-word."""

from __future__ import annotations

from domain.rules.naming import VERSION_TITLE_MAX, version_title


def test_the_title_is_the_summarys_first_line_without_markdown():
    assert version_title("**To-do list in React**\n\nBuilt a to-do list.") == "To-do list in React"


def test_a_long_first_line_is_cut_at_a_word_with_an_ellipsis():
    title = version_title("Built a to-do list with React. Run npm install and then npm run dev to serve it")

    assert title == "Built a to-do list with React. Run npm install and then…"
    assert len(title) <= VERSION_TITLE_MAX


def test_an_empty_summary_gets_the_fallback():
    assert version_title("  \n ", fallback="Fragment") == "Fragment"
