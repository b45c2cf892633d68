"""One self-contained HTML file for commissioners: text, tables and charts embedded.

No external files, scripts, fonts or links are needed to read it: charts are PNG images
embedded as data URIs, styles are inline. Sections are added in reading order.
"""

from __future__ import annotations

import base64
import html
import io
import re
from dataclasses import dataclass, field

import pandas as pd
from matplotlib.figure import Figure

STYLE = """
body{font-family:Arial,Helvetica,sans-serif;max-width:960px;margin:2em auto;padding:0 1em;color:#1b1b1b;line-height:1.45}
h1{font-size:1.7em;margin-bottom:.2em}h2{font-size:1.3em;margin-top:1.8em;border-bottom:2px solid #1f5fa8}
p.lead{font-size:1.1em}table{border-collapse:collapse;margin:1em 0;font-size:.9em}
th,td{border:1px solid #c8c8c8;padding:4px 8px;text-align:right}th{background:#dde6f0}
td.text,th.text{text-align:left}figure{margin:1em 0;max-width:100%;overflow-x:auto}figcaption{font-size:.85em;color:#555}
table{max-width:100%}td,th{overflow-wrap:anywhere}.n{white-space:nowrap}img{height:auto}
.caveat{background:#fff6e0;border-left:4px solid #d9a400;padding:.6em 1em}
p.meta{color:#444;font-size:.95em}
"""
#: A signed number, a sum of money or a percentage: kept on one line (a minus sign never wraps alone).
NUMBER = re.compile(r"(?<![\w£])([-+]?£?\d[\d,]*(?:\.\d+)?(?:bn|m|%)?)")
NUMERIC_CELL = re.compile(r"^[-+]?£?[\d,.]+(?:bn|m|%)?(?: to [-+]?£?[\d,.]+(?:bn|m|%)?)?$")


def _words(text: str) -> str:
    """Escaped text with every number in a no-wrap span."""
    return NUMBER.sub(r'<span class="n">\1</span>', html.escape(text))


@dataclass
class Report:
    title: str
    subtitle: str = ""
    parts: list[str] = field(default_factory=list)

    def heading(self, text: str, anchor: str) -> None:
        self.parts.append(f'<h2 id="{html.escape(anchor)}">{html.escape(text)}</h2>')

    def paragraph(self, text: str, *, css: str | None = None) -> None:
        klass = f' class="{css}"' if css else ""
        self.parts.append(f"<p{klass}>{_words(text)}</p>")

    def bullets(self, items: list[str]) -> None:
        self.parts.append("<ul>" + "".join(f"<li>{_words(i)}</li>" for i in items) + "</ul>")

    def table(self, frame: pd.DataFrame, *, caption: str = "", index: bool = False) -> None:
        """A table: numbers (and ranges "a to b") right-aligned and unbroken, text left."""
        if index:
            frame = frame.reset_index()

        def shown(value) -> str:
            return "-" if value is None or (isinstance(value, float) and value != value) else str(value)

        def cell(tag: str, value) -> str:
            text = shown(value)
            kind = "num" if NUMERIC_CELL.match(text) else "text"
            inner = f'<span class="n">{html.escape(text)}</span>' if kind == "num" else html.escape(text)
            return f'<{tag} class="{kind}">{inner}</{tag}>'

        # a heading sits over its cells: left over a column of words, right over numbers
        numeric = [j > 0 and any(NUMERIC_CELL.match(shown(v)) for v in frame.iloc[:, j])
                   for j in range(frame.shape[1])]
        head = "".join(f'<th class="{"num" if numeric[j] else "text"}">{html.escape(str(c))}</th>'
                       for j, c in enumerate(frame.columns))
        rows = "".join("<tr>" + "".join(cell("td", v) for v in record) + "</tr>"
                       for record in frame.itertuples(index=False))
        cap = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
        self.parts.append(f"<figure><table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>{cap}</figure>")

    def figure(self, figure: Figure, *, caption: str, alt: str) -> None:
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
        data = base64.b64encode(buffer.getvalue()).decode("ascii")
        self.parts.append(f'<figure><img alt="{html.escape(alt)}" src="data:image/png;base64,{data}" '
                          f'style="max-width:100%"><figcaption>{html.escape(caption)}</figcaption></figure>')

    def render(self) -> str:
        head = (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                f"<title>{html.escape(self.title)}</title><style>{STYLE}</style></head><body>")
        top = f"<h1>{html.escape(self.title)}</h1>"
        if self.subtitle:
            top += f'<p class="meta">{html.escape(self.subtitle)}</p>'
        return head + top + "\n".join(self.parts) + "</body></html>\n"
