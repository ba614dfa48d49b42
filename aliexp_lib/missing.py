"""What we need from you: the dates that would make an order's deadlines exact, most valuable first.

An export says an order *was* shipped, completed or is in dispute (its normalised ``status``) but
rarely *when*: the deadline engine then estimates. ``missing_dates`` lists, for each unfinished
order, the dates its status says happened (``schema.STATUS_EVENTS``) whose column is empty, with
where the order page shows each one (its label in English, Russian and German, from
``data/order_page_dates.csv``). Record them (``aliexp record``, one by one or as a CSV) and the
deadlines become exact.

Which orders are unfinished (simple on purpose):

- any status but ``closed`` and ``awaiting_payment`` (nothing is owed on an unpaid order);
- a ``completed`` order only while buyer protection could still be running: today is at most
  ``protection_cap_days`` (rule, the longest protection, seed L56, L167) plus its agreed
  ``extension_days`` after its latest known date (the order date when nothing else is known);
- a ``refunded`` order only until its refund is received (``refund_received_at``).

An order without a status (our own format) needs nothing: its dates are what the buyer typed; but
where the deadline engine estimated one of its deadlines (an ``estimated`` column of the deadlines,
where the engine gives one) and its shipping date is empty, the shipping date is asked for. An
order not yet shipped needs nothing either, but its payment date helps where the order book has a
``paid_at`` column: asked for with ``needed`` false.

Most valuable first: by the order's price in the display currency where a rate is known; orders
whose currency has no rate follow, by price within their currency (never an error for want of a
rate); orders without a price come last.
"""

from __future__ import annotations

import datetime as dt
from importlib import resources

import numpy as np
import pandas as pd

from aliexp_lib.i18n import _, label
from aliexp_lib.schema import DATE_COLUMNS, STATUS_EVENTS
from aliexp_lib.setting import Setting
from aliexp_lib.totals import order_prices
from aliexp_lib.validate import OrderBook

#: Columns of ``missing_dates``.
COLUMNS = (
    "rank",
    "order_id",
    "title",
    "status",
    "event",
    "needed",
    "label",
    "where",
    "page_en",
    "page_ru",
    "page_de",
    "price_minor",
    "currency",
    "value_minor",
    "source",
)
#: The payment date: asked for (not needed) for an order not yet shipped, once the book has the column.
PAID = "paid_at"


def page_labels() -> pd.DataFrame:
    """Where the order page shows each date: ``data/order_page_dates.csv``, indexed by ``event``.

    Returns
    -------
    pandas.DataFrame
        ``page`` (order, dispute or payments), ``label_en``, ``label_ru``, ``label_de`` (the label as
        the page shows it), ``place_en``, ``place_ru`` (where on the page), ``quoted`` (the language
        the seed quotes, ``none`` where the label is our description), ``source``, ``applies_from``.

    Examples
    --------
    >>> labels = page_labels()
    >>> labels.loc["shipped_at", ["label_ru", "quoted"]].tolist()
    ['Заказ отправлен', 'ru']
    >>> labels.loc["refund_issued_at", "label_ru"], labels.loc["confirmed_at", "quoted"]
    ('Дата возмещения', 'none')
    """
    with resources.files("aliexp_lib.data").joinpath("order_page_dates.csv").open("r", encoding="utf-8") as handle:
        return pd.read_csv(handle, dtype=str, keep_default_na=False).set_index("event")


def missing_dates(
    book: OrderBook,
    today: dt.date,
    setting: Setting,
    deadlines: pd.DataFrame | None = None,
    prices: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The dates each unfinished order's deadlines wait for, most valuable order first.

    Parameters
    ----------
    book : OrderBook
        The orders; ``status`` (normalised, ``schema.STATUSES``) where an importer set it.
    today : datetime.date
        The day a completed order's protection is judged on, and of the exchange rates.
    setting : Setting
        ``rulebook`` (``protection_cap_days``), ``rates``, ``currency`` (display) and ``lang``.
    deadlines : pandas.DataFrame, optional
        The deadline engine's rows (``order_id``; ``estimated``, bool, where the engine marks
        estimates): an order without a status with an estimated deadline is asked its shipping date.
    prices : pandas.DataFrame, optional
        ``totals.order_prices`` (``Analysis.prices``), to rank by; computed when not given.

    Returns
    -------
    pandas.DataFrame
        ``COLUMNS``, one row per order and missing date, orders most valuable first, dates in the
        order they happen: ``rank`` (int64, 1 = most valuable order), ``order_id``, ``title``,
        ``status`` (str), ``event`` (str, the date column, e.g. ``shipped_at``), ``needed`` (bool;
        false: helps, not needed), ``label`` (str, the event in ``setting.lang``), ``where`` (str, the
        page and place, in ``setting.lang``), ``page_en``, ``page_ru``, ``page_de`` (str, the page's
        label in each language), ``price_minor`` (Int64 [minor units of ``currency``]), ``currency``
        (str, the order's), ``value_minor`` (Int64 [minor units of ``setting.currency``], NA where no
        rate is known), ``source`` (str, where the label comes from).

    Examples
    --------
    >>> book = OrderBook.from_frame(pd.DataFrame([
    ...     {"order_id": "1", "price": "5", "currency": "USD", "ordered_at": "2026-01-05", "status": "shipped"},
    ...     {"order_id": "2", "price": "900", "currency": "RUB", "ordered_at": "2026-01-05", "status": "in_dispute",
    ...      "shipped_at": "2026-01-08"},
    ...     {"order_id": "3", "price": "9", "currency": "RUB", "ordered_at": "2026-01-05", "status": "closed"},
    ...     {"order_id": "4", "price": "9", "currency": "RUB", "ordered_at": "2026-01-05"},
    ... ]))
    >>> found = missing_dates(book, dt.date(2026, 3, 1), Setting.default())  # no RUB rate for USD: ranked after
    >>> found[["rank", "order_id", "event", "page_ru", "value_minor"]]
       rank order_id              event          page_ru  value_minor
    0     1        2  dispute_opened_at      Спор открыт        90000
    1     2        1         shipped_at  Заказ отправлен         <NA>
    """
    table = book.table
    n = len(table)
    status = _text(table.get("status"), n)
    day = np.datetime64(today, "D")
    unfinished = _unfinished(table, status, day, setting)
    events = list(dict.fromkeys(e for names in STATUS_EVENTS.values() for e in names))
    parts = []
    for position, event in enumerate(events):  # a handful of events, each over the whole table
        saying = status.isin([s for s, names in STATUS_EVENTS.items() if event in names]).to_numpy()
        empty = _empty(table, event, n)
        parts.append(_rows(np.flatnonzero(saying & empty & unfinished), event, position + 1, True))
    estimated = None if deadlines is None else deadlines.get("estimated")
    if (
        deadlines is not None and estimated is not None
    ):  # no status, but a deadline estimated: its shipping date makes it exact
        guessed = (
            table["order_id"]
            .isin(deadlines.loc[estimated.astype(str).str.lower().isin(["true", "1"]), "order_id"])
            .to_numpy()
        )
        rows = np.flatnonzero(guessed & (status == "").to_numpy() & _empty(table, "shipped_at", n))
        parts.append(_rows(rows, "shipped_at", 1, True))
    if PAID in DATE_COLUMNS:  # the payment date, once the order book has it
        rows = np.flatnonzero((status == "awaiting_shipment").to_numpy() & _empty(table, PAID, n))
        parts.append(_rows(rows, PAID, 0, False))
    found = pd.concat(parts, ignore_index=True)
    prices = prices if prices is not None else order_prices(book, setting, today)
    return _table(found, table, status, order_values(prices, setting.currency), setting.lang)


def order_values(prices: pd.DataFrame, currency: str) -> pd.arrays.IntegerArray:
    """Each order's price in the display ``currency``, NA where unknown or where its currency has no rate
    (then it is ranked within its own currency).

    Parameters
    ----------
    prices : pandas.DataFrame
        ``totals.order_prices`` (``Analysis.prices``): ``price_minor`` and ``currency`` per order.
    currency : str
        The display currency.

    Returns
    -------
    pandas.arrays.IntegerArray
        [minor units of ``currency``], one per order.

    Examples
    --------
    >>> prices = pd.DataFrame({"price_minor": pd.array([1000, 500], dtype="Int64"), "currency": ["RUB", "XAF"]})
    >>> order_values(prices, "RUB").tolist()
    [1000, <NA>]
    """
    values = pd.array(prices["price_minor"], dtype="Int64")
    values[prices["currency"].to_numpy() != currency] = pd.NA
    return values


def _unfinished(table: pd.DataFrame, status: pd.Series, day: np.datetime64, setting: Setting) -> np.ndarray:
    """Orders whose dates still matter (see the module's docstring)."""
    n = len(table)
    known = [c for c in DATE_COLUMNS if c in table]
    latest = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    if known:  # the latest known date of each order, NaT where it has none
        latest = table[known].max(axis=1, skipna=True).to_numpy().astype("datetime64[D]")
    cap = setting.rulebook.days("protection_cap_days", latest)
    extension = pd.array(table.get("extension_days", pd.Series(0, index=table.index)), dtype="Int64")
    extra = np.asarray(extension.to_numpy(dtype=np.int64, na_value=0))
    running = np.isnat(latest) | (day <= latest + (cap + extra).astype("timedelta64[D]"))
    received = ~_empty(table, "refund_received_at", n)
    codes = status.to_numpy()
    return (
        ~np.isin(codes, ["", "closed", "awaiting_payment"])
        & ((codes != "completed") | running)
        & ((codes != "refunded") | ~received)
    )


def _rows(rows: np.ndarray, event: str, position: int, needed: bool) -> pd.DataFrame:
    return pd.DataFrame(
        {"row": rows, "event": event, "position": np.full(len(rows), position), "needed": np.full(len(rows), needed)}
    )


def _table(found: pd.DataFrame, table: pd.DataFrame, status: pd.Series, value, lang: str) -> pd.DataFrame:
    """The rows of ``found`` (row, event, position, needed) ranked and labelled."""
    rows = found["row"].to_numpy()
    price = pd.array(table["price_minor"], dtype="Int64")
    value = pd.array(value, dtype="Int64")
    keys = pd.DataFrame(
        {
            "rated": np.asarray(value.isna(), dtype=bool)[rows],  # False (rated) first
            "value": -value.to_numpy(dtype=np.int64, na_value=0)[rows],
            "priced": np.asarray(price.isna(), dtype=bool)[rows],
            "currency": table["currency"].fillna("").astype(str).to_numpy()[rows],
            "price": -price.to_numpy(dtype=np.int64, na_value=0)[rows],
            "row": rows,
            "position": found["position"].to_numpy(),
        }
    )
    order = keys.sort_values(list(keys.columns), kind="stable").index.to_numpy()
    rows, found = rows[order], found.iloc[order].reset_index(drop=True)
    rank = pd.factorize(rows)[0] + 1
    labels = page_labels().reindex(found["event"].to_numpy())
    place = f"place_{lang}" if f"place_{lang}" in labels else "place_en"
    events = found["event"].to_numpy()
    return pd.DataFrame(
        {
            "rank": rank.astype(np.int64),
            "order_id": table["order_id"].astype(str).to_numpy()[rows],
            "title": _text(table.get("title"), len(table)).to_numpy()[rows],
            "status": status.to_numpy()[rows],
            "event": events,
            "needed": found["needed"].to_numpy(dtype=bool),
            "label": _labels(events, lang),
            "where": labels[place].to_numpy(),
            "page_en": labels["label_en"].to_numpy(),
            "page_ru": labels["label_ru"].to_numpy(),
            "page_de": labels["label_de"].to_numpy(),
            "price_minor": price[rows],
            "currency": table["currency"].astype(object).to_numpy()[rows],
            "value_minor": value[rows],
            "source": labels["source"].to_numpy(),
        },
        columns=list(COLUMNS),
    )


def _labels(events: np.ndarray, lang: str) -> np.ndarray:
    """The event's name in ``lang``, once per distinct event."""
    names = {e: (_("Paid", lang) if e == PAID else label(e.removesuffix("_at"), lang)) for e in pd.unique(events)}
    return pd.Series(events, dtype=object).map(names).to_numpy(dtype=object)


def _text(column: pd.Series | None, n: int) -> pd.Series:
    """A text column, "" where empty or absent."""
    if column is None:
        return pd.Series([""] * n, dtype=object)
    return column.astype(object).where(column.notna(), "").astype(str).reset_index(drop=True)


def _empty(table: pd.DataFrame, column: str, n: int) -> np.ndarray:
    """Where ``column`` has no date (everywhere if the book lacks the column)."""
    values = table.get(column)
    return np.ones(n, dtype=bool) if values is None else np.asarray(values.isna(), dtype=bool)
