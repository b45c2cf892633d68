"""One self-contained HTML file for commissioners: text, tables and charts embedded.

No external files, scripts, fonts or links are needed to read it: charts are PNG images
embedded as data URIs, styles are inline. Sections are added in reading order.
"""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass, field

import pandas as pd
from matplotlib.figure import Figure

STYLE = """
body{font-family:Arial,Helvetica,sans-serif;max-width:960px;margin:2em auto;padding:0 1em;color:#1b1b1b;line-height:1.45}
h1{font-size:1.7em;margin-bottom:.2em}h2{font-size:1.3em;margin-top:1.8em;border-bottom:2px solid #1f5fa8}
p.lead{font-size:1.1em}table{border-collapse:collapse;margin:1em 0;font-size:.9em}
th,td{border:1px solid #c8c8c8;padding:4px 8px;text-align:right}th{background:#dde6f0}
td:first-child,th:first-child{text-align:left}figure{margin:1em 0}figcaption{font-size:.85em;color:#555}
.caveat{background:#fff6e0;border-left:4px solid #d9a400;padding:.6em 1em}
"""


@dataclass
class Report:
    title: str
    subtitle: str = ""
    parts: list[str] = field(default_factory=list)

    def heading(self, text: str, anchor: str) -> None:
        self.parts.append(f'<h2 id="{html.escape(anchor)}">{html.escape(text)}</h2>')

    def paragraph(self, text: str, *, css: str | None = None) -> None:
        klass = f' class="{css}"' if css else ""
        self.parts.append(f"<p{klass}>{html.escape(text)}</p>")

    def bullets(self, items: list[str]) -> None:
        self.parts.append("<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in items) + "</ul>")

    def table(self, frame: pd.DataFrame, *, caption: str = "", index: bool = False) -> None:
        body = frame.to_html(index=index, border=0, na_rep="-", escape=True)
        cap = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
        self.parts.append(f"<figure>{body}{cap}</figure>")

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
            top += f'<p class="lead">{html.escape(self.subtitle)}</p>'
        return head + top + "\n".join(self.parts) + "</body></html>\n"
