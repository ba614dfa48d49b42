"""User text made safe for plotly: shown as typed, never read as markup.

Plotly reads a subset of HTML in every text it draws (axis and tick labels, hover text, legend
names, annotations, titles): ``<a href=...>`` becomes a clickable link, ``<b>`` bold, ``<br>`` a
line break, and text between ``$`` signs is typeset as TeX where MathJax is loaded. Every text from
the user's files (order ids, titles, stores, currencies) goes through ``plot_text`` before it enters
a figure (``views.figures``). Plotly turns the entities back into the characters when it draws the
text, so the chart shows exactly what the file holds.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

#: Characters plotly would read as markup, and the entity that shows each as itself. ``&`` first,
#: so the entities added after it are not escaped again; ``$`` because ``$...$`` is TeX to plotly.
ENTITIES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("$", "&#36;"))


def plot_text(values: str | Iterable[str] | pd.Series) -> str | list[str]:
    """``values`` with plotly's markup characters replaced by entities, so plotly shows them as text.

    Parameters
    ----------
    values : str, iterable of str or pandas.Series
        Text from the user's data (order ids, item titles, stores, currency codes).

    Returns
    -------
    str or list of str
        One text for one text, else a list in the same order.

    Examples
    --------
    >>> plot_text('<a href="https://evil.example">x</a>')
    '&lt;a href="https://evil.example"&gt;x&lt;/a&gt;'
    >>> plot_text(["Lamp & cable", "$5 off$", "plain"])
    ['Lamp &amp; cable', '&#36;5 off&#36;', 'plain']
    """
    if isinstance(values, str):
        return str(plot_text([values])[0])
    text = pd.Series(list(values), dtype="object").astype(str)
    for character, entity in ENTITIES:
        text = text.str.replace(character, entity, regex=False)
    return text.tolist()
