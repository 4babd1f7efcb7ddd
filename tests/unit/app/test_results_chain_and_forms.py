"""The results-chain diagram's DOT (colours by status, edges along the tree, a legend, archived
results left out, quotes in statements harmless) and the editor's text-field parsing."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from rbm.errors import ValidationFailed
from rbm.ui import logframe_forms as forms
from rbm.ui.results_chain import results_chain_dot
from rbm.ui.widgets import STATUS_COLOURS

NODES = pd.DataFrame(
    {
        "id": [1, 2, 3, 4],
        "parent_id": [None, 1, 1, 2],
        "level": ["impact", "outcome", "outcome", "output"],
        "code": ["I", "1", "2", "1.1"],
        "title": ['Trafficking "reduced"', "Laws comply", "Firearms marked", "Drafts"],
        "status": ["on_track", "off_track", None, "achieved"],
        "archived": [False, False, True, False],
    }
)


def test_each_result_is_filled_with_the_colour_of_its_status() -> None:
    dot = results_chain_dot(NODES)
    assert f'n2 [label="1\\nLaws comply", fillcolor="{STATUS_COLOURS["off_track"]}"' in dot
    assert f'fillcolor="{STATUS_COLOURS["achieved"]}"' in dot


def test_edges_follow_the_tree_and_archived_results_are_left_out() -> None:
    dot = results_chain_dot(NODES)
    assert "n1 -> n2;" in dot and "n2 -> n4;" in dot
    assert "n3 " not in dot and "n1 -> n3" not in dot


def test_the_legend_lists_every_status_and_quotes_are_escaped() -> None:
    dot = results_chain_dot(NODES)
    assert all(f"legend_{s}" in dot for s in STATUS_COLOURS)
    assert 'Trafficking \\"reduced\\"' in dot


def test_shares_are_read_from_code_and_share_pairs() -> None:
    assert forms.shares("hn 50; GT=30, SV 20", field="countries") == {
        "HN": Decimal(50),
        "GT": Decimal(30),
        "SV": Decimal(20),
    }


@pytest.mark.parametrize("text", ["HN", "HN fifty"])
def test_unreadable_shares_are_refused_naming_the_field(text: str) -> None:
    with pytest.raises(ValidationFailed, match=r"^countries:"):
        forms.shares(text, field="countries")
