"""The seed's practical advice, as cited data (``data/guidance.csv``), joined onto the rows it belongs to.

Each piece of advice has the seed lines it comes from, its text in English and Russian (the
Russian close to the seed's own words), and the keys it attaches to: deadline ``kinds`` (rows of
``deadlines``), ``options`` (rows of ``resolve``), and two filters, ``problems`` (``schema.PROBLEMS``,
or ``none`` for an order without a problem) and ``payment_methods`` (lower case, as in
``data/payout_times.csv``). An empty filter lets every row through. The engines never read it: the
views join it onto the rows they show (``advice``), so the advice follows each row's own key.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

from aliexp_lib.kinds import KIND_NAMES
from aliexp_lib.options import OPTIONS
from aliexp_lib.schema import PROBLEMS

#: The key columns of ``data/guidance.csv`` and the codes each may hold (payment methods are free text).
KEYS = {"kinds": KIND_NAMES, "options": OPTIONS, "problems": (*PROBLEMS, "none"), "payment_methods": ()}
#: What a row's target column is matched against: a deadline's ``kind``, an option's ``option``.
TARGETS = {"kind": "kinds", "option": "options"}
#: How the seed reference is written after the advice, per language.
CITE = {"en": "(seed {lines})", "ru": "(источник: {lines})"}
LINES = re.compile(r"^\d+(;\d+)*$")


@cache
def load_guidance() -> pd.DataFrame:
    """The bundled advice (``data/guidance.csv``), checked: every key a known code, lines numbers.

    Returns
    -------
    pandas.DataFrame
        ``id``; ``kinds``, ``options``, ``problems``, ``payment_methods`` (tuples of codes, empty: any);
        ``lines`` (tuple of seed line numbers); ``en``, ``ru`` (the advice).

    Raises
    ------
    ValueError
        If a key is not a known code, an id repeats, lines are not numbers, or a text is missing.

    Examples
    --------
    >>> guidance = load_guidance().set_index("id")
    >>> guidance.loc["return_packing", "lines"], guidance.loc["return_packing", "kinds"]
    ((338, 340, 342), ('return_ship_by',))
    """
    with resources.files("aliexp_lib.data").joinpath("guidance.csv").open("r", encoding="utf-8") as handle:
        table = pd.read_csv(handle, dtype=str, keep_default_na=False)
    if table["id"].duplicated().any():
        raise ValueError(f"guidance.csv: repeated ids {sorted(set(table['id'][table['id'].duplicated()]))}")
    for column, known in KEYS.items():
        table[column] = table[column].map(lambda cell: tuple(c.strip() for c in cell.split(";") if c.strip()))
        unknown = {c for codes in table[column] for c in codes} - set(known) if known else set()
        if unknown:
            raise ValueError(f"guidance.csv: unknown {column} {sorted(unknown)}")
    bad = table.loc[~table["lines"].str.match(LINES), "id"]
    if len(bad):
        raise ValueError(f"guidance.csv: lines are not numbers separated by ';' in {list(bad)}")
    table["lines"] = table["lines"].map(lambda cell: tuple(int(n) for n in cell.split(";")))
    empty = table.loc[(table["en"].str.strip() == "") | (table["ru"].str.strip() == ""), "id"]
    if len(empty):
        raise ValueError(f"guidance.csv: advice without its English or Russian text in {list(empty)}")
    return table


def lines_text(lines: tuple[int, ...]) -> str:
    """Seed line numbers as one reference, ``L159, L161, L163``.

    Examples
    --------
    >>> lines_text((338, 340, 342)), lines_text((71,))
    ('L338, L340, L342', 'L71')
    """
    return ", ".join(f"L{n}" for n in lines)


def advice(
    rows: pd.DataFrame,
    target: str,
    lang: str,
    cite: bool = True,
    orders: pd.DataFrame | None = None,
    at: np.ndarray | None = None,
) -> pd.Series:
    """The advice for each row, joined by its ``target`` key and filtered by its problem and payment method.

    Parameters
    ----------
    rows : pandas.DataFrame
        Rows of ``deadlines`` (``target="kind"``) or of ``resolve`` (``target="option"``); ``problem``
        and ``payment_method`` columns are used where present (absent: only advice without that filter).
    target : {"kind", "option"}
    lang : {"en", "ru"}
    cite : bool, default True
        Follow each piece with its seed lines, ``(seed L130)`` / ``(источник: L130)``.
    orders : pandas.DataFrame, optional
        The order book's table: each row's ``problem`` and ``payment_method`` are taken from it by
        ``order_id`` where ``rows`` lacks them.
    at : numpy.ndarray, optional
        Each row's position in ``orders`` (``deadlines.open_deadlines_and_orders``), instead of
        looking its ``order_id`` up.

    Returns
    -------
    pandas.Series of str, categorical
        Aligned with ``rows``: every matching piece in the file's order, one sentence each, "" for none.
        Each distinct (key, problem, payment method) is joined once and the rows hold codes into the
        distinct texts, so a million rows cost a million small integers, not a million strings.

    Examples
    --------
    >>> rows = pd.DataFrame({"kind": ["return_ship_by", "dispute_opens"], "problem": ["defective", ""]})
    >>> print(advice(rows, "kind", "en")[0].splitlines()[0])
    Pack the return well and film the packing; at the post office photograph the parcel with the address and \
tracking number readable, and the receipt (seed L338, L340, L342).
    >>> advice(rows, "kind", "ru", cite=False)[1][:40]
    'Получив бандероль на почте, не распечаты'
    """
    if orders is not None and at is None:
        at = _positions(rows["order_id"], orders["order_id"])

    def codes_of(column: str) -> tuple[np.ndarray, np.ndarray]:
        """The row's own column, else the order's (by ``order_id``), else one "" for all."""
        if column in rows:
            return _codes(rows[column])
        if orders is not None and column in orders:
            return _codes(orders[column], at)
        return np.zeros(len(rows), dtype=np.int64), np.array([""], dtype=object)

    key, problem, payment = (codes_of(column) for column in (target, "problem", "payment_method"))
    # One number per (key, problem, payment method), numbered in order of first appearance.
    combination, distinct = pd.factorize((key[0] * len(problem[1]) + problem[0]) * len(payment[1]) + payment[0])
    keys = pd.DataFrame(
        {
            "key": key[1][distinct // (len(problem[1]) * len(payment[1]))],
            "problem": pd.Series(problem[1][distinct // len(payment[1]) % len(problem[1])]).replace("", "none"),
            "payment_method": pd.Series(payment[1][distinct % len(payment[1])]).str.strip().str.lower(),
        }
    )
    codes, texts = pd.factorize(_texts(keys, target, lang, cite))
    return pd.Series(pd.Categorical.from_codes(codes[combination], texts), index=rows.index)


def _positions(ids: pd.Series, of: pd.Series) -> np.ndarray:
    """Where each of ``ids`` is in ``of`` (unique ids), -1 where it is not: Arrow's hash lookup, about twice
    as fast as pandas' on text (1.5 million deadlines in a million orders: 0.3 s)."""
    import pyarrow.compute as pc

    from aliexp_lib.column_scan import arrow_text

    found = pc.index_in(arrow_text(ids.astype(str)), value_set=arrow_text(of.astype(str)))
    return pc.fill_null(found, -1).to_numpy().astype(np.int64)


def _codes(values: pd.Series, at: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``values`` (taken at positions ``at``) as codes into its distinct values as text ("" where missing)."""
    codes, distinct = pd.factorize(values, use_na_sentinel=False)
    distinct = pd.Series(distinct, dtype=object)
    text = distinct.where(distinct.notna(), "").astype(str).to_numpy(dtype=object)
    if at is not None:  # a row whose order is not in ``orders`` (-1) takes "", as a missing value
        text = np.append(text, "")
        codes = np.where(at >= 0, codes[at], len(text) - 1)
    return codes.astype(np.int64), text


@cache
def _pieces(target: str, lang: str, cite: bool) -> pd.DataFrame:
    """The bundled guidance in ``lang``, one row per (``target`` key, problem, payment method) it
    applies to ("*": any), made once per process (read only: ``_texts`` joins it)."""
    guidance = load_guidance()
    pieces = guidance.assign(text=guidance[lang], number=range(len(guidance)))
    if cite:
        pieces["text"] = pieces["text"] + " " + pieces["lines"].map(lambda n: CITE[lang].format(lines=lines_text(n)))
    for column in (TARGETS[target], "problems", "payment_methods"):  # one row per key: "*" lets any value through
        pieces = pieces.assign(**{column: pieces[column].map(lambda codes: codes or ("*",))}).explode(column)
    return pieces


def _texts(keys: pd.DataFrame, target: str, lang: str, cite: bool) -> pd.Series:
    """The advice text of each distinct row of ``keys`` (``key``, ``problem``, ``payment_method``)."""
    pieces = _pieces(target, lang, cite)
    left = keys.assign(row=range(len(keys)))
    joined = left.merge(pieces, left_on="key", right_on=TARGETS[target], how="inner")
    keep = joined["problems"].isin(["*"]) | (joined["problems"] == joined["problem"])
    keep &= joined["payment_methods"].isin(["*"]) | (joined["payment_methods"] == joined["payment_method"])
    joined = joined[keep & (joined[TARGETS[target]] != "*")].drop_duplicates(["row", "number"])
    texts = joined.sort_values(["row", "number"]).groupby("row")["text"].agg(lambda t: "\n".join(s + "." for s in t))
    return texts.reindex(range(len(keys)), fill_value="").astype(object)
