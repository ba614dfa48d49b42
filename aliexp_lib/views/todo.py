"""The report's first screen: what the buyer must do, then what the buyer waits for, in plain words.

``your_actions`` lists the buyer's own clocks (``kinds.Kind.actor`` "you") and every clock of
another actor that is already overdue (its overdue words say what the buyer does about it), the
three most urgent first. ``waiting_on_others`` lists the open clocks of the seller, AliExpress and
the bank, grouped by who acts. Days are said in words (``when_text``); the rulebook ids behind a
date go into a ``rule`` column that ``page_table`` shows as a tooltip, not as text. Nothing here
runs an engine: every table is read from an ``analysis.Analysis``.
"""

from __future__ import annotations

import html as _html
import re

import pandas as pd

from aliexp_lib.analysis import Analysis
from aliexp_lib.guidance import advice
from aliexp_lib.i18n import _, format_date, label
from aliexp_lib.kinds import ACTOR_NAMES, ACTORS, KINDS
from aliexp_lib.urgency import rank_open
from aliexp_lib.views.html_cells import escaped
from aliexp_lib.views.marks import assumptions, marked

#: Who acts on each kind of deadline (``kinds.Kind.actor``).
ACTOR = {kind.name: kind.actor for kind in KINDS}
#: Kinds whose day opens a possibility (a dispute may be opened): news, not something to do.
OPENS = {kind.name for kind in KINDS if kind.window_opens}

#: The buyer's actions shown first, above the rest of the week.
TOP = 3
#: The report's look: text left-aligned, tables that fit a phone (scrolling inside themselves).
STYLE = """<style>
body, .jp-RenderedHTMLCommon, .jp-RenderedMarkdown {text-align: left}
.jp-RenderedHTMLCommon table.aliexp-table {display: block; max-width: 100%; overflow-x: auto; border-collapse: collapse}
.jp-RenderedHTMLCommon table.aliexp-table th, .jp-RenderedHTMLCommon table.aliexp-table td {
  text-align: left; vertical-align: top; white-space: normal; max-width: 28em; padding: 0.3em 0.6em}
.jp-RenderedHTMLCommon table.aliexp-table tr.aliexp-top td {font-weight: 600}
.jp-RenderedHTMLCommon table.aliexp-table td[title] {text-decoration: underline dotted #888}
.aliexp-order {color: #666; font-size: 0.85em}
.jp-RenderedHTMLCommon table.aliexp-table tr td.aliexp-advice {font-weight: normal; font-size: 0.85em; color: #444}
.aliexp-note {border-left: 4px solid #e67e22; padding: 0.3em 0.6em; background: #fdf2e9}
.jp-OutputArea-output, .jp-Cell, .jp-OutputArea {max-width: 100%; min-width: 0; overflow-x: auto}
@media (max-width: 700px) {
  body {margin: 0; padding: 0 4px}
  .jp-Notebook, .jp-Cell {padding: 0 !important; margin: 0 !important}
  .jp-OutputPrompt, .jp-InputPrompt {display: none}
  .jp-RenderedHTMLCommon table.aliexp-table td {max-width: 16em}
}
</style>"""


def when_text(days_left: int, due, lang: str) -> str:
    """A deadline's day in words, counted from today: "today", "tomorrow", "in 3 days (Mar 4, 2026)", "2 days ago".

    Parameters
    ----------
    days_left : int [d]
        ``due`` - today (negative: past).
    due : datetime.date or pandas.Timestamp
        The day itself, said in brackets when it is more than a day ahead.
    lang : {"en", "ru"}

    Returns
    -------
    str

    Examples
    --------
    >>> import datetime as dt
    >>> [when_text(n, dt.date(2026, 3, 1) + dt.timedelta(n), "en") for n in (0, 1, 3, -1, -2)]
    ['today', 'tomorrow', 'in 3 days (Mar 4, 2026)', 'yesterday', '2 days ago']
    """
    days = int(days_left)
    if days == 0:
        return _("today", lang)
    if days == 1:
        return _("tomorrow", lang)
    if days == -1:
        return _("yesterday", lang)
    if days < 0:
        return _("{n} days ago", lang).format(n=-days)
    return _("in {n} days ({date})", lang).format(n=days, date=format_date(due, lang))


def _open(analysis: Analysis) -> pd.DataFrame:
    """The open deadlines, most urgent first (``urgency.rank_open``, as ``--next``), with their actor and item."""
    rows = rank_open(analysis.deadlines).copy()
    rows["actor"] = rows["actor"].astype(str)
    titles = analysis.book.table.set_index("order_id")["title"]
    rows["title"] = rows["order_id"].map(titles).fillna("").astype(str)
    return rows


def _table(rows: pd.DataFrame, analysis: Analysis, what: pd.Series) -> pd.DataFrame:
    lang = analysis.setting.lang
    return pd.DataFrame(
        {
            "item": rows["title"].to_numpy(),
            "order_id": rows["order_id"].to_numpy(),
            "action": [  # an estimated day past says which clock it is: the alarm alone does not
                f"{label(str(k), lang)}: {_(str(a), lang)}" if str(s) == "check_now" else _(str(a), lang)
                for a, k, s in zip(what, rows["kind"], rows["status"], strict=True)
            ],
            "when": marked(
                [when_text(n, d, lang) for n, d in zip(rows["days_left"], rows["due"], strict=True)],
                rows["estimated"],
                lang,
            ),
            "advice": advice(rows, "kind", lang, orders=analysis.book.table).to_numpy(),
            "rule": [
                " ".join((_("rules: {ids}", lang).format(ids=r), why)).strip()
                for r, why in zip(rows["rule"].astype(str), assumptions(rows, lang), strict=True)
            ],
        }
    )


def your_actions(analysis: Analysis, days: int = 7) -> pd.DataFrame:
    """What the buyer must do by ``today + days`` [d]: one row per order, its most urgent action, most urgent first.

    An order's clocks that are the buyer's (``Kind.actor`` "you") count, except those that only open
    a possibility (``Kind.window_opens``), and so does any clock already overdue (the seller's late
    answer, say: its words then say what the buyer does).

    Parameters
    ----------
    analysis : Analysis
    days : int [d], default 7

    Returns
    -------
    pandas.DataFrame
        ``item`` (title), ``order_id``, ``action`` (words in the setting's language), ``when``
        (``when_text``; ``≈ ... (estimated)`` where the day is estimated), ``rule`` (the rulebook ids
        behind the day and, where estimated, the assumption, for a tooltip).

    Examples
    --------
    >>> import datetime as dt
    >>> from aliexp_lib import OrderBook, Setting, analyse
    >>> book = OrderBook.from_frame(pd.DataFrame([{"order_id": "1", "title": "Lamp", "shipped_at": "2026-02-20"}]))
    >>> your_actions(analyse(book, dt.date(2026, 3, 1), Setting.default())).loc[0, ["item", "when"]].tolist()
    ['Lamp', 'tomorrow']
    """
    rows = _open(analysis)
    alarm = rows["status"].isin(["overdue", "check_now"])  # the buyer looks: at the order page, if estimated
    mine = rows[((rows["actor"] == "you") | alarm) & (rows["days_left"] <= days)]
    mine = mine[~mine["kind"].astype(str).isin(OPENS)]
    mine = mine.drop_duplicates("order_id")
    return _table(mine, analysis, mine["action"].astype(str))


def waiting_on_others(analysis: Analysis) -> pd.DataFrame:
    """The open clocks of the seller, AliExpress and the bank (not yet overdue), grouped by who acts, soonest first.

    Parameters
    ----------
    analysis : Analysis

    Returns
    -------
    pandas.DataFrame
        ``actor`` (its name in the setting's language), then the columns of ``your_actions``.

    Examples
    --------
    >>> import datetime as dt
    >>> from aliexp_lib import OrderBook, Setting, analyse
    >>> book = OrderBook.from_frame(pd.DataFrame([{"order_id": "2", "title": "Mug", "price": "300", "currency": "RUB",
    ...     "shipped_at": "2026-02-03", "refund_issued_at": "2026-02-25", "payment_method": "card"}]))
    >>> waiting_on_others(analyse(book, dt.date(2026, 3, 1), Setting.default()))[["actor", "item"]].values.tolist()
    [['AliExpress', 'Mug'], ['Your bank or wallet', 'Mug']]
    """
    lang = analysis.setting.lang
    rows = _open(analysis)
    theirs = rows[(rows["actor"] != "you") & ~rows["status"].isin(["overdue", "check_now"])].copy()
    theirs["_actor"] = theirs["actor"].map({a: i for i, a in enumerate(ACTORS)})
    theirs = theirs.sort_values(["_actor", "days_left"], kind="stable")
    out = _table(theirs, analysis, theirs["action"].astype(str))
    out.insert(0, "actor", [_(ACTOR_NAMES[a], lang) for a in theirs["actor"]])
    return out.rename(columns={"action": "expected"})


#: Column headings of the report's tables (English message ids).
HEADINGS = {
    "actor": "Waiting on",
    "item": "Item",
    "action": "What to do",
    "expected": "What happens",
    "when": "Last day",
    "advice": "Advice",
}
#: Jargon in the headings of the library's tables, said plainly in the report.
PLAIN = {"Net money": "You end up with", "Money by": "Money back by", "Order": "Item"}
#: A rule or seed reference in running text: moved into the cell's tooltip.
REFERENCE = re.compile(r"\s*\((?:rule|правил|seed|источник)[^()]*\)", re.IGNORECASE)


def _cells(
    values: pd.Series, column: str, lang: str, ids: list[str], rules: list[str], links: dict[str, str]
) -> list[str]:
    """One column of ``page_table`` as ``<td>`` cells: text escaped, references in the tooltip; each
    distinct value is cleaned and escaped once (10,000 orders' warnings table: 0.16-0.19 s -> 0.09 s)."""
    shown = [str(v) for v in values.tolist()]
    clean = {value: plain_text(value) for value in set(shown)}
    text_of = {value: escaped(cleaned) for value, (cleaned, _ref) in clean.items()}  # one piece of advice a line
    texts = [text_of[value] for value in shown]
    refs = [clean[value][1] for value in shown]
    if column == "item" and ids:
        for i, order in enumerate(ids):
            url = links.get(order, "")
            if url and texts[i]:
                texts[i] = f'<a href="{_html.escape(url)}" target="_blank" rel="noopener">{texts[i]}</a>'
            number = _html.escape(_("order {id}", lang).format(id=order))
            # <br/>, not <br>: nbconvert re-reads the page with BeautifulSoup, whose html.parser builder
            # keeps every unclosed <br> in a list scanned at each end tag (10k orders: minutes).
            texts[i] += f'<br/><span class="aliexp-order">{number}</span>'
    if column in ("action", "expected", _("Why", lang)):
        refs = ["; ".join(r for r in (ref, rule) if r) for ref, rule in zip(refs, rules, strict=True)]
    advice = ' class="aliexp-advice"' if column in ("advice", _("Advice", lang)) else ""
    tip_of = {ref: f' title="{_html.escape(ref)}"' if ref else "" for ref in set(refs)}
    return [f"<td{tip_of[ref]}{advice}>{text}</td>" for ref, text in zip(refs, texts, strict=True)]


def plain_text(text: str) -> tuple[str, str]:
    """``text`` without its rule and seed references in brackets, and those references.

    Examples
    --------
    >>> plain_text("store rating is low; read the reviews (rule 27, seed L127-139)")
    ('store rating is low; read the reviews', 'rule 27, seed L127-139')
    """
    found = [m.group(0).strip()[1:-1] for m in REFERENCE.finditer(text)]
    return REFERENCE.sub("", text), "; ".join(found)


def actions(analysis: Analysis, days: int = 7):
    """The buyer's actions (``your_actions``) as the report shows them: the ``TOP`` most urgent in a
    table, the rest of the week folded under it (``<details>``).

    Parameters
    ----------
    analysis : Analysis
    days : int [d], default 7

    Returns
    -------
    IPython.display.HTML

    Examples
    --------
    >>> import datetime as dt
    >>> from aliexp_lib import OrderBook, Setting, analyse
    >>> book = OrderBook.from_frame(pd.DataFrame([{"order_id": "1", "title": "Lamp", "shipped_at": "2026-02-20"}]))
    >>> "Lamp" in actions(analyse(book, dt.date(2026, 3, 1), Setting.default())).data
    True
    """
    from IPython.display import HTML

    lang, links = analysis.setting.lang, order_links(analysis)
    table = your_actions(analysis, days)
    shown = page_table(table.head(TOP), lang, top=TOP, links=links).data
    rest = table.iloc[TOP:]
    if len(rest):
        summary = _html.escape(_("{n} more this week", lang).format(n=len(rest)))
        shown += f"<details><summary>{summary}</summary>{page_table(rest, lang, links=links).data}</details>"
    return HTML(shown)


def rates_note(analysis: Analysis):
    """The one note on exchange rates the analysis lacks (``Analysis.rates_note``), or nothing.

    Parameters
    ----------
    analysis : Analysis

    Returns
    -------
    IPython.display.HTML
        A paragraph (text escaped) naming the missing rates and how to add them; empty when none is missing.

    Examples
    --------
    >>> import datetime as dt
    >>> from aliexp_lib import OrderBook, Setting, analyse
    >>> book = OrderBook.from_frame(pd.DataFrame([{"order_id": "1", "price": "9.99", "currency": "CHF"}]))
    >>> rates_note(analyse(book, dt.date(2026, 3, 1), Setting.default())).data[:60]
    '<p class="aliexp-note">No exchange rate into RUB for CHF on '
    """
    from IPython.display import HTML

    note = analysis.rates_note
    return HTML(f'<p class="aliexp-note">{_html.escape(note)}</p>' if note else "")


def order_links(analysis: Analysis) -> pd.Series:
    """Order id -> the order's page, where the file gives one (``order_url``, http or https only)."""
    table = analysis.book.table
    if "order_url" not in table:
        return pd.Series(dtype=str)
    urls = table.set_index("order_id")["order_url"].fillna("").astype(str).str.strip()
    return urls[urls.str.match(r"^https?://")]


def page_table(
    table: pd.DataFrame, lang: str, top: int = 0, titles: pd.Series | None = None, links: pd.Series | None = None
):
    """A report table as HTML: the item with its order number under it, rule and seed references
    as tooltips (the ``rule`` column and any "(rule ...)" in the text), plain headings, the first
    ``top`` rows marked; every text escaped.

    Parameters
    ----------
    table : pandas.DataFrame
        ``your_actions``, ``waiting_on_others`` (engine column names), or a table of ``tables``
        (headings already in ``lang``; its order column is shown as the item where ``titles`` is given).
    lang : {"en", "ru"}
    top : int, default 0
        Rows marked as the most urgent (class ``aliexp-top``).
    titles : pandas.Series, optional
        Order id -> item title.
    links : pandas.Series, optional
        Order id -> the order's page (``order_links``): the item links to it.

    Returns
    -------
    IPython.display.HTML

    Examples
    --------
    >>> table = pd.DataFrame({"item": ["<b>Lamp</b>"], "order_id": ["1"], "action": ["Post it (rule 9)"],
    ...     "when": ["today"]})
    >>> shown = page_table(table, "en", top=1).data
    >>> "&lt;b&gt;Lamp&lt;/b&gt;" in shown, '<td title="rule 9">Post it</td>' in shown
    (True, True)
    """
    from IPython.display import HTML

    if table.empty:
        return HTML(f"<p>{_html.escape(_('Nothing to do.', lang))}</p>")
    table = table.copy()
    order = _("Order", lang)
    if titles is not None and order in table:
        table.insert(0, "item", table[order].map(titles).fillna(""))
        table = table.rename(columns={order: "order_id"})
    rule = "rule" if "rule" in table else _("Rule", lang)
    plain = {_(k, lang): _(v, lang) for k, v in PLAIN.items()}
    shown = [c for c in table.columns if c not in ("order_id", rule)]
    head = "".join(
        f"<th>{_html.escape(_(HEADINGS[c], lang) if c in HEADINGS else plain.get(c, c))}</th>" for c in shown
    )
    ids = [str(v) for v in table["order_id"].tolist()] if "order_id" in table else []
    rules = [str(v) for v in table[rule].tolist()] if rule in table else [""] * len(table)
    link_of = {} if links is None else links.to_dict()
    cells = [_cells(table[column], column, lang, ids, rules, link_of) for column in shown]  # column by column
    marked = [' class="aliexp-top"' if i < top else "" for i in range(len(table))]
    body = [f"<tr{mark}>{''.join(row)}</tr>" for mark, row in zip(marked, zip(*cells, strict=True), strict=True)]
    return HTML(f'<table class="aliexp-table"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>')
