"""Events that end things, and the ones that follow from them: the dispute's end, its reopening and
the automatic close of an order, laid over the event days the deadline engine counts from.

Derived here, over whole columns, before any clock is computed (``deadlines.compute_deadlines``):

- ``dispute_ended`` (``kinds.DISPUTE_ENDED``): the dispute closed, won, lost, cancelled or agreed
  (``dispute_won_at``, ``dispute_lost_at``, ``dispute_cancelled_at``, ``dispute_agreed_at``): every
  clock of the dispute and its return stops. Seed L400: accepting the seller's terms closes the
  dispute for good.
- ``dispute_reopened_at`` on or after the end: the end and an escalation before it no longer count,
  and the dispute's clocks count from the reopening (seed L400: a dispute closed at the seller's
  request within protection can be opened again).
- ``dispute_stands`` (``kinds.DISPUTE_STANDS``): a dispute opened and not cancelled. Only such a
  dispute closes the protection clocks: after a cancelled one protection runs on (seed L400).
- ``order_closed_at`` (``kinds.ORDER_CLOSED``): recorded, or else the last day of protection where
  it passed with no confirmation, standing dispute or refund: the order closes automatically and
  the seller is paid (seed L390); 15 days to open a dispute follow (rule 10, seed L77, L390).
"""

from __future__ import annotations

import numpy as np

from aliexp_lib.estimates import Estimates
from aliexp_lib.kinds import DISPUTE_ENDED, DISPUTE_STANDS, ORDER_CLOSED

#: How a dispute can end (date columns), seed L185-200, L400.
OUTCOMES = ("dispute_won_at", "dispute_lost_at", "dispute_cancelled_at", "dispute_agreed_at")
REOPENED = "dispute_reopened_at"
OPENED = "dispute_opened_at"
#: Events that, before a reopening, belonged to the dispute that ended.
_BEFORE_REOPENING = (*OUTCOMES, "dispute_escalated_at")


def derive_events(dates: Estimates, protection_end: np.ndarray, protection_high: np.ndarray, today_day) -> None:
    """Add the derived events (see the module) to ``dates`` in place: each as day bounds and flags.

    Parameters
    ----------
    dates : Estimates
        Every dated event of the orders (``estimates.estimate_events``); its dicts gain
        ``dispute_ended`` and ``dispute_stands`` and have ``dispute_opened_at``, the outcomes,
        ``dispute_escalated_at`` and ``order_closed_at`` replaced where a derived rule applies.
    protection_end, protection_high : numpy.ndarray of int [d since 1970-01-01]
        Each order's last protected day, counted from the earliest and the latest shipping day.
    today_day : int [d since 1970-01-01]

    Examples
    --------
    >>> import numpy as np
    >>> from aliexp_lib.estimates import Estimates
    >>> columns = ("shipped_at", "confirmed_at", "dispute_opened_at", "dispute_escalated_at", "refund_issued_at",
    ...            *OUTCOMES, REOPENED, ORDER_CLOSED)
    >>> days = {c: np.array([0, 0]) for c in columns}
    >>> days["dispute_opened_at"] = np.array([10, 0]); days["dispute_cancelled_at"] = np.array([12, 0])
    >>> happened = {c: days[c] > 0 for c in columns}
    >>> happened["shipped_at"] = np.array([True, True])
    >>> dates = Estimates(days, dict(days), happened, {c: np.zeros(2, bool) for c in columns},
    ...                   {c: np.zeros(2, np.int16) for c in columns}, np.zeros(2, bool))
    >>> derive_events(dates, np.array([60, 60]), np.array([60, 60]), 70)
    >>> dates.happened[DISPUTE_ENDED].tolist(), dates.happened[DISPUTE_STANDS].tolist()
    ([True, False], [False, False])
    >>> dates.happened[ORDER_CLOSED].tolist(), dates.low[ORDER_CLOSED].tolist()  # protection ran out on day 60
    ([True, True], [60, 60])
    """
    low, high, happened, estimated, assumption = (
        dates.low,
        dates.high,
        dates.happened,
        dates.estimated,
        dates.assumption,
    )
    reopened = happened[REOPENED]
    reopen_day = low[REOPENED]
    for column in _BEFORE_REOPENING:  # what a reopening on or after it makes void
        happened[column] = happened[column] & ~(reopened & (low[column] <= reopen_day))
    for bounds in (low, high):
        bounds[OPENED] = np.where(reopened, reopen_day, bounds[OPENED])
    happened[OPENED] = happened[OPENED] | reopened
    estimated[OPENED] = estimated[OPENED] & ~reopened
    assumption[OPENED] = np.where(reopened, 0, assumption[OPENED]).astype(np.int16)

    ended = np.zeros(len(reopened), dtype=bool)
    end_day = np.full(len(reopened), np.iinfo(np.int64).max)
    for column in OUTCOMES:
        ended |= happened[column]
        end_day = np.where(happened[column], np.minimum(end_day, low[column]), end_day)
    _put(dates, DISPUTE_ENDED, np.where(ended, end_day, 0), np.where(ended, end_day, 0), ended)

    stands = happened[OPENED] & ~happened["dispute_cancelled_at"]
    _put(dates, DISPUTE_STANDS, low[OPENED], high[OPENED], stands, estimated[OPENED], assumption[OPENED])

    recorded = happened[ORDER_CLOSED]
    settled = happened["confirmed_at"] | stands | happened["refund_issued_at"]
    ran_out = happened["shipped_at"] & (protection_end < today_day) & ~settled & ~recorded
    _put(
        dates,
        ORDER_CLOSED,
        np.where(recorded, low[ORDER_CLOSED], protection_end),
        np.where(recorded, low[ORDER_CLOSED], protection_high),
        recorded | ran_out,
        ran_out & estimated["shipped_at"],
        np.where(ran_out, assumption["shipped_at"], 0),
    )


def _put(dates: Estimates, name: str, low, high, happened, estimated=None, assumption=None) -> None:
    n = len(happened)
    dates.low[name], dates.high[name], dates.happened[name] = low, high, happened
    dates.estimated[name] = np.zeros(n, dtype=bool) if estimated is None else estimated
    dates.assumption[name] = (np.zeros(n) if assumption is None else assumption).astype(np.int16)
