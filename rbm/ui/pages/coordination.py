"""Coordination: mapping technical-assistance activities to avoid duplication. A matrix of
countries x priority areas x providers with counts and money, the overlapping pairs (same
country and area, overlapping dates, different providers), and the "global picture" table."""

from __future__ import annotations

import streamlit as st

from rbm.exchange import spreadsheet
from rbm.queries.coordination import area_coverage, matrix_of, pairs_of
from rbm.queries.portfolio import PortfolioFilters
from rbm.queries.reference import optional_query
from rbm.ui.session import cached_query, require_principal

principal = require_principal()
st.title("Coordination")
st.caption(
    "Who provides what, where. Overlaps are listed so providers can coordinate, not as a "
    "finding against anyone. The portfolio filters apply."
)
filters = PortfolioFilters.from_state(st.session_state)
coverage = cached_query(area_coverage, principal, filters=filters)
matrix = matrix_of(coverage)
pairs = pairs_of(coverage)

c1, c2, c3 = st.columns(3)
c1.metric("Countries", coverage["country"].nunique())
c2.metric("Providers", coverage["provider"].nunique())
c3.metric("Overlapping pairs", len(pairs))

st.subheader("Countries × priority areas")
counts = matrix.pivot_table(
    index="country", columns="area", values="projects", aggfunc="sum", fill_value=0
)
st.dataframe(counts, width="stretch", key="co_counts")
st.caption("Projects per country and priority area (all providers).")

st.subheader("By provider")
st.dataframe(
    matrix,
    hide_index=True,
    width="stretch",
    key="co_matrix",
    column_config={
        "country": "Country",
        "area": "Priority area",
        "provider": "Provider",
        "projects": "Projects",
        "money": st.column_config.NumberColumn("Money in country (USD)", format="localized"),
    },
)

st.subheader("Overlapping work")
if pairs.empty:
    st.caption("No two providers work on the same area in the same country at the same time.")
else:
    st.dataframe(
        pairs,
        hide_index=True,
        width="stretch",
        key="co_pairs",
        column_config={
            "country": "Country",
            "area": "Priority area",
            "code_a": "Project",
            "provider_a": "Provider",
            "code_b": "Project",
            "provider_b": "Provider",
            "overlap_from": st.column_config.DateColumn("Overlap from"),
            "overlap_to": st.column_config.DateColumn("Overlap to"),
        },
    )

picture = coverage[
    [
        "country",
        "region_code",
        "area",
        "code",
        "title",
        "provider",
        "status",
        "start_date",
        "end_date",
        "share",
        "money_in_country",
    ]
]
st.download_button(
    "Download the global picture (CSV)",
    spreadsheet.csv_bytes(picture),
    file_name="global-picture.csv",
    key="co_download",
)

uncovered = optional_query("rbm.queries.needs", "uncovered_needs_by_region_area")
if uncovered is not None:
    st.subheader("Needs no one covers, by region and priority area")
    st.caption("Candidates for subregional programmes.")
    st.dataframe(
        cached_query(uncovered, principal), hide_index=True, width="stretch", key="co_needs"
    )
