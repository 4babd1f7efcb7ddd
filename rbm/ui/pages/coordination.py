"""Coordination: mapping technical-assistance activities to avoid duplication. A matrix of
countries x priority areas x providers with counts and money, the overlapping pairs (same
country and area, overlapping dates, different providers), and the "global picture" table."""

from __future__ import annotations

import streamlit as st

from rbm.exchange import spreadsheet
from rbm.i18n import _, country_name
from rbm.queries.coordination import area_coverage, matrix_of, pairs_of
from rbm.queries.portfolio import PortfolioFilters, other_currencies
from rbm.queries.reference import optional_query
from rbm.ui import related
from rbm.ui.session import cached_query, require_principal
from rbm.ui.widgets import money_column, other_currencies_note, overlap_headers, show_table

principal = require_principal()
st.title(_("Coordination"))
st.caption(
    _(
        "Who provides what, where. Overlaps are listed so providers can coordinate, not as a "
        "finding against anyone. The portfolio filters apply."
    )
)
filters = PortfolioFilters.from_state(st.session_state)
coverage = cached_query(area_coverage, principal, filters=filters)
names = {
    n: country_name(c, fallback=n)
    for c, n in zip(coverage["country_code"], coverage["country"], strict=True)
}
shown = coverage.assign(
    country=coverage["country"].map(names),
    area=coverage["area"].replace({"(no priority area)": _("(no priority area)")}),
)
matrix = matrix_of(shown)
pairs = pairs_of(shown)

c1, c2, c3 = st.columns(3)
c1.metric(_("Countries"), coverage["country"].nunique())
c2.metric(_("Providers"), coverage["provider"].nunique())
c3.metric(_("Overlapping pairs"), len(pairs))

st.subheader(_("Countries × priority areas"))
counts = matrix.pivot_table(
    index="country", columns="area", values="projects", aggfunc="sum", fill_value=0
)
counts.index.name = _("Country")
st.dataframe(counts, width="stretch", key="co_counts")
st.caption(_("Projects per country and priority area (all providers)."))

st.subheader(_("By provider"))
show_table(
    matrix,
    key="co_matrix",
    column_config={
        "country": _("Country"),
        "area": _("Priority area"),
        "provider": _("Provider"),
        "projects": _("Projects"),
        "money": money_column(_("Money in country (USD)")),
    },
)
other_currencies_note(cached_query(other_currencies, principal, filters=filters))

st.subheader(_("Overlapping work"))
if pairs.empty:
    st.caption(_("No two providers work on the same area in the same country at the same time."))
else:
    show_table(
        pairs,
        key="co_pairs",
        column_config=overlap_headers(),
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
    _("Download the global picture (CSV)"),
    spreadsheet.csv_bytes(picture),
    file_name="global-picture.csv",
    key="co_download",
)

uncovered = optional_query("rbm.queries.needs", "uncovered_needs_by_region_area")
if uncovered is not None:
    st.subheader(_("Needs no one covers, by region and priority area"))
    st.caption(_("Candidates for subregional programmes."))
    related.table(cached_query(uncovered, principal), key="co_needs")
