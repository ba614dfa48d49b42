"""When a refund reaches the buyer: the one rule every part of aliexp uses.

A refund leaves AliExpress ``refund_leaves_platform_days`` after its date (rule 24, seed L422, the
entry in force on the refund's day) and then takes its payment method's payout time, at the slow
end (``data/payout_times.csv``, seed L422: a card about a week, WebMoney almost at once, 7-15 days
in general). Before that day a refund is in normal transit, never overdue.

The deadline engine (``refund_overdue``), the report's "expected by" (``Analysis.refunds``), the
calendar (made from the deadlines) and the ways out (``cases``: ``payout_high`` with the same rule)
all count with it, so they give the same day.

Examples
--------
>>> import numpy as np, pandas as pd
>>> from aliexp_lib.costs import load_payout_times
>>> from aliexp_lib.rules import load_rulebook
>>> issued = np.array([20_500, 20_500])  # day numbers [d since 1970-01-01]
>>> refund_transit_days(issued, pd.Series(["card", "WebMoney"]), load_rulebook(), load_payout_times()).tolist()
[20, 6]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from aliexp_lib.costs import slowest_payout_days
from aliexp_lib.rules import Rulebook

#: The rule [d] a refund takes to leave AliExpress after its date (rule 24).
LEAVES_PLATFORM = "refund_leaves_platform_days"


def refund_transit_days(issued: np.ndarray, methods: pd.Series, rulebook: Rulebook, payout: pd.DataFrame) -> np.ndarray:
    """Days [d] from each refund's date to the last day it should have arrived (rules 24, 26).

    Parameters
    ----------
    issued : numpy.ndarray of int [d since 1970-01-01]
        The refunds' dates as day numbers; the rule is read in force on each.
    methods : pandas.Series of str
        The orders' payment methods (unknown or missing: the slowest payout of ``payout``).
    rulebook : Rulebook
    payout : pandas.DataFrame
        A table of ``costs.load_payout_times`` (``Setting.payout``).

    Returns
    -------
    numpy.ndarray of int64 [d]
        ``refund_leaves_platform_days`` + the method's slowest payout time.

    Examples
    --------
    >>> from aliexp_lib.costs import load_payout_times
    >>> from aliexp_lib.rules import load_rulebook
    >>> days = refund_transit_days(np.array([20_500]), pd.Series(["Qiwi"]), load_rulebook(), load_payout_times())
    >>> days.tolist()  # 5 d to leave AliExpress + 15 d, Qiwi's slow end
    [20]
    """
    issued = np.asarray(issued, dtype=np.int64)
    leave = rulebook.days(LEAVES_PLATFORM, issued.astype("datetime64[D]"))
    return np.asarray(leave, dtype=np.int64) + slowest_payout_days(methods.reset_index(drop=True), payout)
