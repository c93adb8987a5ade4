"""Small parts of the reports: SVG charts, small-count suppression, medians, fiscal-year ranges."""

import xml.etree.ElementTree as ET

import pytest

from complaints import charts
from complaints.services.reports.scope import median_of_histogram
from complaints.services.reports.small_counts import OFF, SmallCounts
from complaints.services.reports.zones import HEAT_LEVELS, heat_level
from complaints.thai import parse_fiscal_years

SVG = "{http://www.w3.org/2000/svg}"


def _parse(markup) -> ET.Element:
    return ET.fromstring(str(markup))  # noqa: S314 (our own output)


def test_bar_chart_is_valid_svg_with_thai_labels_links_and_titles():
    chart = charts.bar_chart([
        charts.Bar("น้ำท่วม/น้ำขัง", 12, href="/cases?category=flood&fiscal_year=2565"),
        charts.Bar("ถนน/ผิวจราจรชำรุด", 3),
        charts.Bar("หาบเร่-แผงลอย", 0, text="< 5"),
    ], title="จำนวนเรื่องแยกตามประเภทเรื่อง")
    root = _parse(chart)
    assert root.tag == SVG + "svg" and root.get("role") == "img"
    assert root.find(SVG + "title").text == "จำนวนเรื่องแยกตามประเภทเรื่อง"
    texts = [t.text for t in root.iter(SVG + "text")]
    assert "น้ำท่วม/น้ำขัง" in texts and "12" in texts and "< 5" in texts
    links = root.findall(SVG + "a")
    assert [a.get("href") for a in links] == ["/cases?category=flood&fiscal_year=2565"]
    bars = [r for r in root.iter(SVG + "rect") if "chart-bar" in r.get("class")]
    widths = [float(r.get("width")) for r in bars]
    assert widths[0] > widths[1] > widths[2] == 0
    assert abs(widths[0] / widths[1] - 4) < 0.01  # lengths in proportion to the values
    assert "style=" not in str(chart)  # the CSP forbids inline styles


def test_chart_text_is_escaped():
    chart = charts.bar_chart([charts.Bar('<script>alert("x")</script>', 1, href='/x?a=1&b="2"')], title="<b>t</b>")
    assert "<script>" not in str(chart) and "<b>" not in str(chart)
    _parse(chart)  # still well-formed


def test_long_labels_are_shortened_to_fit():
    label = "ทุจริต/ประพฤติมิชอบของเจ้าหน้าที่ " * 4
    root = _parse(charts.bar_chart([charts.Bar(label, 5)], title="t", width=300))
    shown = [t.text for t in root.iter(SVG + "text") if "chart-label" in t.get("class")][0]
    assert shown.endswith("…") and len(shown) < len(label)
    assert charts.text_width(shown, 13) <= 300 * 0.45


def test_column_chart_highlights_and_handles_empty_input():
    root = _parse(charts.column_chart([charts.Bar("ปี 2564", 4), charts.Bar("ปี 2565", 8, highlight=True)],
                                      title="แนวโน้ม"))
    bars = [r for r in root.iter(SVG + "rect") if "chart-bar" in r.get("class")]
    assert "highlight" in bars[1].get("class") and float(bars[1].get("height")) == 2 * float(bars[0].get("height"))
    _parse(charts.bar_chart([], title="ว่าง"))
    _parse(charts.column_chart([], title="ว่าง"))


def test_thai_marks_take_no_width():
    assert charts.text_width("กี่", 10) == pytest.approx(charts.text_width("ก", 10))


def test_small_counts_are_hidden_with_one_complementary_cell():
    small = SmallCounts(5)
    assert [small.show(n) for n in (0, 1, 4, 5, 12)] == [0, "< 5", "< 5", 5, 12]
    # one small cell and a published total: the smallest other non-zero cell goes too
    assert small.group([12, 3, 0, 7]) == [12, "< 5", 0, "< 5"]
    assert small.group([12, 3, 2, 7]) == [12, "< 5", "< 5", 7]  # already two hidden
    assert small.group([12, 3], total_published=False) == [12, "< 5"]
    assert small.group([3]) == ["< 5"]
    assert OFF.group([1, 2]) == [1, 2] and not OFF.active and not SmallCounts(1).active


def test_median_of_a_histogram():
    assert median_of_histogram([]) == (None, 0)
    assert median_of_histogram([(7, 1)]) == (7, 1)
    assert median_of_histogram([(10, 1), (20, 1), (30, 1), (40, 1)]) == (25, 4)
    assert median_of_histogram([(1, 5), (100, 1)]) == (1, 6)
    assert median_of_histogram([(1, 2), (9, 2)]) == (5, 4)


def test_heat_levels():
    assert heat_level(0, 10) == 0 and heat_level(10, 10) == HEAT_LEVELS
    assert heat_level(1, 100) == 1 and heat_level(50, 100) == 3
    assert [heat_level(n, 5) for n in range(6)] == [0, 1, 2, 3, 4, 5]


@pytest.mark.parametrize("text, years", [
    ("", []), (None, []), ("2564", [2564]), ("2563-2565", [2563, 2564, 2565]), (" 2563 - 2564 ", [2563, 2564]),
    ("๒๕๖๔", [2564]), ("2565-2563", None), ("abc", None), ("64", None), ("2500-2599", None),
])
def test_fiscal_years_from_text(text, years):
    assert parse_fiscal_years(text) == years
