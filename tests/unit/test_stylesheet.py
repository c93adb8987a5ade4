"""The stylesheet must not size the SVG shapes that complaints.charts draws: in SVG 2, CSS width and
height override a rect's own attributes, which flattened every bar to one length once."""

import re
from pathlib import Path

import pytest

CSS = (Path(__file__).resolve().parents[2] / "complaints" / "static" / "css" / "app.css").read_text(encoding="utf-8")
CHART_CLASSES = re.findall(r'class="(chart-[a-z]+)', (Path(__file__).resolve().parents[2] / "complaints" /
                                                      "charts.py").read_text(encoding="utf-8"))


@pytest.mark.parametrize("css_class", sorted(set(CHART_CLASSES)))
def test_no_rule_sizes_a_chart_shape(css_class):
    for selector, body in re.findall(r"([^{}]+)\{([^}]*)\}", CSS):
        if re.search(rf"\.{css_class}\b", selector):
            assert not re.search(r"(^|;|\s)(width|height)\s*:", body), f"{selector.strip()} sizes .{css_class}"
