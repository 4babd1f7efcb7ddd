"""A real browser: from the portfolio map to a country's page, and on to one of its projects."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import sign_in, wait_idle

#: Marks, in the map's SVG, the country shape with the darkest fill (the country receiving the
#: most money) so the test can click it.
MARK_DARKEST = """(svg) => {
  let best = null, bestScore = 1e9;
  for (const path of svg.querySelectorAll('path')) {
    const m = (path.getAttribute('fill') || '').match(/rgb\\((\\d+), ?(\\d+), ?(\\d+)\\)/)
      || (path.getAttribute('fill') || '').match(/#(..)(..)(..)/);
    if (!m) continue;
    const [r, g, b] = m.slice(1, 4).map((v) => parseInt(v, m[0].startsWith('#') ? 16 : 10));
    if (b < 100 || b - r < 60) continue;  // only the blue shades of money
    if (r + g < bestScore) { bestScore = r + g; best = path; }
  }
  if (best) best.setAttribute('data-darkest', 'yes');
  return best !== null;
}"""


def test_a_click_on_the_map_opens_the_country_and_a_row_opens_the_project(
    live_app: str, browser_page: Any
) -> None:
    page = browser_page
    sign_in(page, live_app, "admin@demo.rbm", "Demo-admin-2026")
    chart = page.locator("[data-testid='stVegaLiteChart'] svg").first
    chart.wait_for()
    page.wait_for_timeout(1500)  # let Vega draw the map
    assert chart.evaluate(MARK_DARKEST)
    page.locator("path[data-darkest='yes']").click()
    page.wait_for_selector("h1:has-text('Country · Nigeria')")
    wait_idle(page)
    grid = page.locator("[data-testid='stDataFrame']").first
    grid.wait_for()
    page.wait_for_timeout(500)
    grid.click(position={"x": 18, "y": 54})  # the first row's selection box (by code)
    page.wait_for_selector("h1:has-text('MLA-AFR')")
    wait_idle(page)
    assert "code=MLA-AFR" in page.url
