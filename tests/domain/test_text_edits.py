"""The smallest edits between two texts (domain/rules/text_edits.py)."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from domain.rules.text_edits import TextEdit, apply_edits, minimal_edits, rebased_edits

TEXTS = st.text(alphabet=st.sampled_from("ab\n😀é "), max_size=60)


@given(old=TEXTS, new=TEXTS)
def test_the_edits_turn_the_old_text_into_the_new(old, new):
    assert apply_edits(old, minimal_edits(old, new)) == new


def test_a_change_in_one_function_leaves_the_others_alone():
    old = "function a() {\n  return 1;\n}\nfunction b() {\n  return 2;\n}\n"
    new = old.replace("return 2", "return 20")

    assert minimal_edits(old, new) == [TextEdit(start=54, end=54, text="0")]


def test_equal_texts_need_no_edit():
    assert minimal_edits("same\n", "same\n") == []


def test_a_rebased_change_keeps_what_someone_typed_elsewhere_meanwhile():
    base = "function a() {}\nfunction b() {}\n"
    theirs = "function a() {}\nfunction b() { B }\n"
    ours = "function a() { A }\nfunction b() {}\n"

    merged = apply_edits(theirs, rebased_edits(base, ours, theirs))

    assert merged == "function a() { A }\nfunction b() { B }\n"


def test_a_rebased_change_after_an_insertion_above_lands_in_its_place():
    base = "x = 1\ny = 2\n"
    theirs = "# header\nx = 1\ny = 2\n"

    assert apply_edits(theirs, rebased_edits(base, "x = 1\ny = 3\n", theirs)) == "# header\nx = 1\ny = 3\n"


@given(base=TEXTS, new=TEXTS)
def test_rebasing_onto_the_base_itself_is_the_plain_diff(base, new):
    assert apply_edits(base, rebased_edits(base, new, base)) == new


@given(base=TEXTS, new=TEXTS, current=TEXTS)
def test_rebased_edits_always_apply(base, new, current):
    edits = rebased_edits(base, new, current)

    assert all(0 <= e.start <= e.end <= len(current) for e in edits)
    assert all(a.end <= b.start for a, b in itertools.pairwise(edits))
