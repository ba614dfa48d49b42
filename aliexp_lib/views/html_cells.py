"""Tables as HTML for notebooks and pages: text escaped, and a line break in a cell shown as one.

pandas' ``to_html`` writes a line break inside a cell as the two characters ``\\n`` (cells are
shown as their ``repr`` would show them); the advice column holds one piece of advice a line, so every
table with text of ours is written here: each text cell escaped (a title with markup in it shows as
text), its line breaks as ``<br/>`` (closed: nbconvert re-reads pages with BeautifulSoup, see
``todo._cells``), numbers and dates as pandas formats them.
"""

from __future__ import annotations

import html

import pandas as pd
from pandas.api.types import is_datetime64_any_dtype, is_numeric_dtype


def escaped(text: str) -> str:
    """``text`` as the content of an HTML element: ``&``, ``<`` and ``>`` escaped, each line break a ``<br/>``.

    Examples
    --------
    >>> escaped("Film the <unboxing>.\\nKeep the receipt.")
    'Film the &lt;unboxing&gt;.<br/>Keep the receipt.'
    """
    return html.escape(text, quote=False).replace("\r\n", "\n").replace("\n", "<br/>")


def table_html(table: pd.DataFrame, classes: str) -> str:
    """``table`` as an HTML ``<table>`` of ``classes``, without its index; missing cells empty.

    Examples
    --------
    >>> page = table_html(pd.DataFrame({"Advice <seed>": ["One.\\nTwo."], "Days": [3]}), "aliexp-table")
    >>> "<th>Advice &lt;seed&gt;</th>" in page, "<td>One.<br/>Two.</td>" in page, "<td>3</td>" in page
    (True, True, True)
    """
    shown = table.rename(columns=lambda name: escaped(str(name)))
    for column in range(shown.shape[1]):
        values = shown.iloc[:, column]
        if not (is_numeric_dtype(values) or is_datetime64_any_dtype(values)):
            text = values.astype(object).where(values.notna(), "").map(lambda v: escaped(str(v)))
            shown.isetitem(column, text)
    return shown.to_html(index=False, escape=False, border=0, classes=classes, na_rep="")
