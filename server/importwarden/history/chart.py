"""The report as an SVG line chart and a self-contained HTML page (no script, no network).

The SVG is built with ``xml.etree.ElementTree``: SVG is XML, and ElementTree escapes every
attribute and text node, which is all a chart of integers and commit subjects needs. A plotting
library (matplotlib, plotly) would add tens of megabytes, or JavaScript, for one line chart;
the SVG-writing packages (svgwrite is archived) add nothing ElementTree lacks here.
"""

from __future__ import annotations

import html
import json
import xml.etree.ElementTree as ET

from importwarden.history.report import Report

SVG_NS = "http://www.w3.org/2000/svg"
# One colour per rule (colour-blind-safe Okabe-Ito palette), the total in black.
PALETTE = ("#E69F00", "#56B4E9", "#009E73", "#D55E00", "#0072B2", "#CC79A7", "#F0E442",
           "#999999")
WIDTH, HEIGHT = 900, 420
LEFT, RIGHT, TOP, BOTTOM = 70, 170, 30, 70


def _nice_max(value: int) -> int:
    if value <= 5:
        return max(value, 1)
    step = 10 ** (len(str(value)) - 1)
    for m in (1, 2, 2.5, 5, 10):
        if value <= m * step:
            return int(m * step)
    return value


def svg_element(report: Report) -> ET.Element:
    ET.register_namespace("", SVG_NS)
    rows = report.rows
    codes = report.codes()
    series = [(code, [r.counts.get(code, 0) for r in rows]) for code in codes]
    series.append(("total", [r.total for r in rows]))
    top_value = _nice_max(max((max(v) for _, v in series if v), default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    svg = ET.Element(f"{{{SVG_NS}}}svg", {"width": str(WIDTH), "height": str(HEIGHT),
                                          "viewBox": f"0 0 {WIDTH} {HEIGHT}", "role": "img",
                                          "id": "chart"})
    ET.SubElement(svg, f"{{{SVG_NS}}}title").text = "Findings by rule per commit"

    def x(i: int) -> float:
        return LEFT + (plot_w * i / (len(rows) - 1) if len(rows) > 1 else plot_w / 2)

    def y(v: int) -> float:
        return TOP + plot_h - plot_h * v / top_value

    axes = ET.SubElement(svg, f"{{{SVG_NS}}}g", {"class": "axes", "font-family": "sans-serif",
                                                 "font-size": "12"})
    for k in range(6):
        value = round(top_value * k / 5)
        ET.SubElement(axes, f"{{{SVG_NS}}}line", {
            "x1": str(LEFT), "x2": str(LEFT + plot_w), "y1": f"{y(value):.1f}",
            "y2": f"{y(value):.1f}", "stroke": "#ddd"})
        tick = ET.SubElement(axes, f"{{{SVG_NS}}}text", {
            "x": str(LEFT - 8), "y": f"{y(value) + 4:.1f}", "text-anchor": "end",
            "class": "y-tick"})
        tick.text = str(value)
    ET.SubElement(axes, f"{{{SVG_NS}}}line", {"x1": str(LEFT), "x2": str(LEFT), "y1": str(TOP),
                                              "y2": str(TOP + plot_h), "stroke": "#333"})
    ET.SubElement(axes, f"{{{SVG_NS}}}line", {"x1": str(LEFT), "x2": str(LEFT + plot_w),
                                              "y1": str(TOP + plot_h), "y2": str(TOP + plot_h),
                                              "stroke": "#333"})
    label_every = max(1, len(rows) // 10)
    for i, row in enumerate(rows):
        if i % label_every and i != len(rows) - 1:
            continue
        tick = ET.SubElement(axes, f"{{{SVG_NS}}}text", {
            "x": f"{x(i):.1f}", "y": str(TOP + plot_h + 16), "text-anchor": "middle",
            "class": "x-tick"})
        tick.text = row.commit[:7]
    x_label = ET.SubElement(axes, f"{{{SVG_NS}}}text", {
        "x": str(LEFT + plot_w / 2), "y": str(HEIGHT - 20), "text-anchor": "middle",
        "id": "x-label"})
    x_label.text = "commit (first-parent history, oldest to newest)"
    y_label = ET.SubElement(axes, f"{{{SVG_NS}}}text", {
        "x": "18", "y": str(TOP + plot_h / 2), "text-anchor": "middle", "id": "y-label",
        "transform": f"rotate(-90 18 {TOP + plot_h / 2})"})
    y_label.text = "findings"

    for k, (code, values) in enumerate(series):
        colour = "#000" if code == "total" else PALETTE[k % len(PALETTE)]
        group = ET.SubElement(svg, f"{{{SVG_NS}}}g", {"class": "series", "data-code": code})
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
        ET.SubElement(group, f"{{{SVG_NS}}}polyline", {
            "points": points, "fill": "none", "stroke": colour,
            "stroke-width": "2.5" if code == "total" else "1.8"})
        for i, v in enumerate(values):
            dot = ET.SubElement(group, f"{{{SVG_NS}}}circle", {
                "cx": f"{x(i):.1f}", "cy": f"{y(v):.1f}", "r": "3", "fill": colour,
                "data-commit": rows[i].commit, "data-value": str(v)})
            ET.SubElement(dot, f"{{{SVG_NS}}}title").text = (
                f"{rows[i].commit[:12]} {code}: {v}")
        legend_y = TOP + 18 * k
        ET.SubElement(svg, f"{{{SVG_NS}}}rect", {
            "x": str(WIDTH - RIGHT + 20), "y": str(legend_y), "width": "12", "height": "12",
            "fill": colour})
        item = ET.SubElement(svg, f"{{{SVG_NS}}}text", {
            "x": str(WIDTH - RIGHT + 38), "y": str(legend_y + 11), "font-family": "sans-serif",
            "font-size": "12", "class": "legend"})
        item.text = f"{code} ({values[-1] if values else 0} now)"
    return svg


def svg_text(report: Report) -> str:
    return ET.tostring(svg_element(report), encoding="unicode") + "\n"


def html_page(report: Report, title: str) -> str:
    codes = report.codes()
    head = "".join(f"<th>{html.escape(c)}</th>" for c in [*codes, "total"])
    body = []
    for row in report.rows:
        cells = "".join(f"<td>{row.counts.get(c, 0)}</td>" for c in codes)
        body.append(f"<tr data-commit=\"{row.commit}\"><td><code>{row.commit[:12]}</code></td>"
                    f"<td>{html.escape(row.date[:10])}</td><td>{html.escape(row.subject)}</td>"
                    f"<td>{row.touched}</td>{cells}<td>{row.total}</td></tr>")
    data = json.dumps(report.to_json(), ensure_ascii=True).replace("</", "<\\/")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{html.escape(title)}</title>
<style>
body {{ font-family: sans-serif; margin: 2em; color: #222; }}
table {{ border-collapse: collapse; font-size: 13px; }}
th, td {{ border: 1px solid #ccc; padding: 3px 8px; text-align: right; }}
td:nth-child(3) {{ text-align: left; }}
</style></head><body>
<h1>{html.escape(title)}</h1>
<p>Findings by rule at each sampled commit of the first-parent history; the registry
{"as of each commit" if report.registry_at == "commit" else "as it is today"}.</p>
{svg_text(report)}
<table id="rows"><thead><tr><th>commit</th><th>date</th><th>subject</th><th>files touched</th>{head}</tr></thead>
<tbody>
{chr(10).join(body)}
</tbody></table>
<script type="application/json" id="report-data">{data}</script>
</body></html>
"""
