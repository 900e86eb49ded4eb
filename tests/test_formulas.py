"""The formula-injection guard: OWASP's quote prefix for CSV cells and its exact undo."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bulkio.prepare.formulas import guard_cell, needs_guard, unguard_cell, unguard_frame


@pytest.mark.parametrize("text", ["=1+1", "+31 20 555", "-x", "@SUM(A1)", "\tcmd", "\rcmd",
                                  '=HYPERLINK("http://x","y")'])
def test_a_trigger_character_gets_one_quote(text):
    assert guard_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["plain", "", "'", "'abc", "a=b", " =x", "12.5", "''"])
def test_harmless_text_is_left_alone(text):
    assert guard_cell(text) == text
    assert unguard_cell(text) == text


@pytest.mark.parametrize(("text", "guarded"), [("'=x", "''=x"), ("''+1", "'''+1"), ("'-", "''-")])
def test_quotes_before_a_trigger_get_one_more_quote(text, guarded):
    assert guard_cell(text) == guarded
    assert unguard_cell(guarded) == text


def test_unguard_strips_only_a_quote_guard_could_have_added():
    assert unguard_cell("'=1") == "=1"
    assert unguard_cell("'abc") == "'abc"
    assert unguard_cell("-12.5") == "-12.5"


@given(st.text(alphabet=st.sampled_from("'=+-@\t\rab1 "), max_size=8) | st.text(max_size=20))
def test_unguard_undoes_guard_for_every_text(text):
    assert unguard_cell(guard_cell(text)) == text


@given(st.text(alphabet=st.sampled_from("'=+-@\t\rab1 "), max_size=8) | st.text(max_size=20))
def test_a_guarded_cell_never_starts_a_formula(text):
    guarded = guard_cell(text)
    assert guarded == "" or guarded[0] not in "=+-@\t\r"
    assert needs_guard(text) == (guarded != text)


def test_unguard_frame_undoes_guard_in_every_cell_and_header_and_keeps_the_rows():
    original = pd.DataFrame({"Name": ["=cmd", "'=x", "'plain", "-12.5", ""],
                             "=Odd header": ["@a", "b", "+1", "'", "x"]},
                            index=pd.Index([2, 3, 4, 5, 6], name="row"))
    guarded = original.map(guard_cell)
    guarded.columns = [guard_cell(c) for c in original.columns]
    assert guarded.loc[2, "Name"] == "'=cmd"

    back = unguard_frame(guarded)

    assert list(back.columns) == ["Name", "=Odd header"]
    assert back.to_dict("list") == original.to_dict("list")
    assert list(back.index) == [2, 3, 4, 5, 6] and back.index.name == "row"
    assert guarded.loc[2, "Name"] == "'=cmd"  # the input frame is not changed
