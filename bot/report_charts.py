"""The monthly report's charts (PNG, matplotlib) and its folder: index.html, the charts, troubles.csv.

Charts need a Japanese font: Debian's ``fonts-noto-cjk`` ("Noto Sans CJK JP"),
which ``./madoguchi`` installs when it is missing. Without any Japanese font
the charts are still drawn, and both the page and the command say plainly that
Japanese labels show as boxes, instead of failing.

Figures are made with matplotlib's object API (``Figure`` + the Agg canvas),
never ``pyplot``'s global state, so the console can draw in worker threads.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import matplotlib
from jinja2 import Environment, FileSystemLoader, StrictUndefined

matplotlib.use("Agg")

from matplotlib import font_manager  # noqa: E402 - after choosing the Agg backend
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from bot.handoff import REASON_LABELS  # noqa: E402
from bot.reports import PRODUCT_TYPES, SLA_LABELS, SCORES, MonthlyReport  # noqa: E402
from bot.support import ISSUE_TYPE_LABELS, ISSUE_TYPES, JST  # noqa: E402

logger = logging.getLogger(__name__)

# Fonts with Japanese glyphs, best first; the first is Debian's fonts-noto-cjk.
JAPANESE_FONTS = ("Noto Sans CJK JP", "Noto Serif CJK JP", "IPAexGothic", "IPAGothic", "TakaoPGothic",
                  "VL PGothic", "Source Han Sans JP")
FONT_PACKAGE = "fonts-noto-cjk"
NO_FONT_NOTE = (f"日本語フォントが見つからないため、グラフの日本語は表示されません（□になります）。"
                f"{FONT_PACKAGE} をインストールしてください（Debian/Ubuntu: apt-get install {FONT_PACKAGE}）。")
TEMPLATES_DIR = Path(__file__).resolve().parent / "console" / "templates"
COLOURS = ("#2f6fb0", "#e07b39", "#3a9a5b", "#c2453d", "#8a62b8", "#8c6d3f", "#d46aa6", "#7f7f7f", "#b5b531")
SLA_COLOURS = {"met": "#3a9a5b", "missed": "#c2453d", "no_reply": "#b0b0b0"}


@dataclass(frozen=True)
class Chart:
    name: str  # file name: weekly.png
    title: str


CHARTS = (
    Chart("weekly.png", "週ごとのトラブル件数（種類別）"),
    Chart("products.png", "商品別：不良品・製品安全・誤配送"),
    Chart("escalations.png", "担当者への引き継ぎ理由"),
    Chart("sla.png", "初回返信の期限（種類別）"),
    Chart("containment.png", "ボットだけで完了／担当者に引き継ぎ"),
    Chart("lockouts.png", "本人確認の失敗とロック"),
    Chart("satisfaction.png", "満足度（1〜5）"),
)
CHART_NAMES = {c.name for c in CHARTS}


@lru_cache(maxsize=1)
def japanese_font() -> str | None:
    """The family name of an installed Japanese font, or None (and a warning in the log)."""
    known = {f.name for f in font_manager.fontManager.ttflist}
    for family in JAPANESE_FONTS:
        if family in known:
            return family
    # Installed after matplotlib cached its font list: look on disk once.
    for path in font_manager.findSystemFonts():
        if "CJK" in Path(path).name or "ipaexg" in Path(path).name.lower():
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):
                continue
    known = {f.name for f in font_manager.fontManager.ttflist}
    for family in JAPANESE_FONTS:
        if family in known:
            return family
    logger.warning("no Japanese font found (install %s): chart labels will not show Japanese", FONT_PACKAGE)
    return None


def _figure(width: float = 7.5, height: float = 3.6) -> Figure:
    figure = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(figure)
    return figure


def _style(axes, title: str) -> None:
    font = japanese_font()
    family = [font, "DejaVu Sans"] if font else ["DejaVu Sans"]
    axes.set_title(title, fontfamily=family, fontsize=12, loc="left")
    for label in [*axes.get_xticklabels(), *axes.get_yticklabels()]:
        label.set_fontfamily(family)
    legend = axes.get_legend()
    if legend is not None:
        for text in legend.get_texts():
            text.set_fontfamily(family)
    axes.spines["top"].set_visible(False)
    axes.spines["right"].set_visible(False)


def _no_data(axes) -> None:
    font = japanese_font()
    axes.text(0.5, 0.5, "データなし", ha="center", va="center", fontsize=14, color="#777777",
              fontfamily=[font] if font else ["DejaVu Sans"], transform=axes.transAxes)
    axes.set_xticks([])
    axes.set_yticks([])


def _stacked_bars(axes, categories: list[str], series: list[tuple[str, list[int], str]], horizontal=False) -> None:
    bottom = [0] * len(categories)
    for label, values, colour in series:
        if horizontal:
            axes.barh(categories, values, left=bottom, label=label, color=colour)
        else:
            axes.bar(categories, values, bottom=bottom, label=label, color=colour)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    _legend(axes)


def _legend(axes) -> None:
    """Beside the plot, so it never hides a bar."""
    axes.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))


def _integer_axis(axis) -> None:
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))


def draw_chart(report: MonthlyReport, name: str) -> bytes:
    """One chart as PNG bytes; a chart without data says データなし."""
    chart = next(c for c in CHARTS if c.name == name)
    figure = _figure()
    axes = figure.add_subplot(1, 1, 1)
    drew = {
        "weekly.png": _weekly, "products.png": _products, "escalations.png": _escalations, "sla.png": _sla,
        "containment.png": _containment, "lockouts.png": _lockouts, "satisfaction.png": _satisfaction,
    }[name](report, axes)
    if not drew:
        _no_data(axes)
    _style(axes, chart.title)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def _weekly(report: MonthlyReport, axes) -> bool:
    if not report.troubles:
        return False
    present = [t for t in ISSUE_TYPES if any(report.weekly[w][t] for w in report.weeks)]
    _stacked_bars(axes, report.weeks, [(ISSUE_TYPE_LABELS[t], [report.weekly[w][t] for w in report.weeks],
                                        COLOURS[ISSUE_TYPES.index(t) % len(COLOURS)]) for t in present])
    _integer_axis(axes.yaxis)
    return True


def _products(report: MonthlyReport, axes) -> bool:
    top = report.top_products()
    if not top:
        return False
    names = [name if len(name) <= 18 else name[:17] + "…" for name, _ in reversed(top)]
    _stacked_bars(axes, names, [(ISSUE_TYPE_LABELS[t], [counts[t] for _, counts in reversed(top)],
                                 COLOURS[i]) for i, t in enumerate(PRODUCT_TYPES)], horizontal=True)
    _integer_axis(axes.xaxis)
    return True


def _escalations(report: MonthlyReport, axes) -> bool:
    if not report.escalations:
        return False
    order = [label for label in REASON_LABELS.values() if report.escalations[label]]
    order += sorted(set(report.escalations) - set(order))
    axes.barh(list(reversed(order)), [report.escalations[label] for label in reversed(order)], color=COLOURS[0])
    _integer_axis(axes.xaxis)
    return True


def _sla(report: MonthlyReport, axes) -> bool:
    types = [t for t in ISSUE_TYPES if sum(report.sla.get(t, {}).values())]
    if not types:
        return False
    _stacked_bars(axes, [ISSUE_TYPE_LABELS[t] for t in types],
                  [(label, [report.sla[t][state] for t in types], SLA_COLOURS[state])
                   for state, label in SLA_LABELS.items()])
    _integer_axis(axes.yaxis)
    return True


def _containment(report: MonthlyReport, axes) -> bool:
    values = [report.containment["bot_only"], report.containment["handed_off"]]
    if not sum(values):
        return False
    bars = axes.bar(["ボットだけで完了", "担当者に引き継ぎ"], values, color=[COLOURS[2], COLOURS[1]])
    total = sum(values)
    for bar, value in zip(bars, values, strict=True):
        axes.annotate(f"{value}件（{value / total:.0%}）", (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                      ha="center", va="bottom", fontsize=9,
                      fontfamily=[japanese_font() or "DejaVu Sans"])
    _integer_axis(axes.yaxis)
    return True


def _lockouts(report: MonthlyReport, axes) -> bool:
    if not any(sum(c.values()) for c in report.lockouts.values()):
        return False
    width = 0.27
    positions = range(len(report.weeks))
    for offset, (key, label, colour) in enumerate((("failures", "確認の失敗", COLOURS[1]),
                                                   ("locks", "ロック発生", COLOURS[3]),
                                                   ("refused", "ロック中の試行", COLOURS[7]))):
        axes.bar([p + (offset - 1) * width for p in positions], [report.lockouts[w][key] for w in report.weeks],
                 width=width, label=label, color=colour)
    axes.set_xticks(list(positions))
    axes.set_xticklabels(report.weeks)
    _legend(axes)
    _integer_axis(axes.yaxis)
    return True


def _satisfaction(report: MonthlyReport, axes) -> bool:
    if not sum(report.scores.values()):
        return False
    axes.bar([f"{s}" for s in SCORES], [report.scores[s] for s in SCORES],
             color=[COLOURS[3], COLOURS[1], COLOURS[7], COLOURS[0], COLOURS[2]])
    axes.set_xlabel("評価", fontfamily=[japanese_font() or "DejaVu Sans"])
    _integer_axis(axes.yaxis)
    return True


# ---------------------------------------------------------------------------
# The report folder
# ---------------------------------------------------------------------------

def _templates() -> Environment:
    return Environment(loader=FileSystemLoader(str(TEMPLATES_DIR)), autoescape=True, undefined=StrictUndefined,
                       trim_blocks=True, lstrip_blocks=True)


def write_report(report: MonthlyReport, directory: Path) -> list[Path]:
    """index.html, one PNG per chart beside it, and troubles.csv; returns the files written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for chart in CHARTS:
        path = directory / chart.name
        path.write_bytes(draw_chart(report, chart.name))
        written.append(path)
    csv_path = directory / "troubles.csv"
    csv_path.write_text(report.csv_text(), encoding="utf-8")
    written.append(csv_path)
    page = _templates().get_template("report_file.html").render(
        r=report, charts=CHARTS, chart_url="", csv_url="troubles.csv", font_note="" if japanese_font() else NO_FONT_NOTE,
        issue_labels=ISSUE_TYPE_LABELS, sla_labels=SLA_LABELS, product_types=PRODUCT_TYPES, jst=JST)
    index = directory / "index.html"
    index.write_text(page, encoding="utf-8")
    return [index, *written]
