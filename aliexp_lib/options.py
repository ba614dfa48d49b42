"""The ways out of a problem order, as data: which problems each can resolve, and why and at what
risk, in words (English; ``i18n`` translates them). ``resolve`` values and ranks them.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from aliexp_lib.schema import PROBLEMS

OPTIONS = (
    "wait_and_extend",
    "dispute_full_refund",
    "return_for_refund",
    "partial_refund_keep",
    "accept_resend",
    "keep_and_close",
    "settle_off_platform",
    "wait_for_refund",
    "pay_matching_order",
    "ask_support",
)
#: Problems with the item itself (it arrived).
ITEM_PROBLEMS = ("defective", "not_as_described", "wrong_item", "incomplete")
#: option -> problems it can resolve
APPLIES_TO = {
    "wait_and_extend": ("not_received",),
    "dispute_full_refund": ("not_received", *ITEM_PROBLEMS),
    "return_for_refund": (*ITEM_PROBLEMS, "arrived_after_refund", "duplicate"),
    "partial_refund_keep": ITEM_PROBLEMS,
    "accept_resend": ("not_received", "wrong_item", "incomplete"),
    "keep_and_close": ("not_received", *ITEM_PROBLEMS, "arrived_after_refund", "duplicate"),
    "settle_off_platform": ("not_received", *ITEM_PROBLEMS),
    "wait_for_refund": ITEM_PROBLEMS,
    "pay_matching_order": ("arrived_after_refund",),
    "ask_support": ("not_received", *ITEM_PROBLEMS),
}
#: Where a problem order already is (``situation.build_situation`` says which holds for each order).
SITUATIONS = (
    "return_posted",
    "return_accepted",
    "tracking_bad",
    "tracking_shared",
    "tracking_stalled",
    "saver_delivered",
)
#: Why an option's usual text does not fit an order: its state (``SITUATIONS``) or a clock.
NOTES = (*SITUATIONS, "resend_late", "protection_over")
REASONS = {
    "wait_and_extend": "Ask the seller to extend protection (rules 3, 7) and wait: the chance it arrives comes from "
    "your own delivery history; if it does not, open a dispute before protection ends (rule 8)",
    "dispute_full_refund": "Open a dispute for a full refund: the seller has {seller_reply_days} days to answer, "
    "escalation after {auto_escalation_days}, the platform decides in {platform_decision_days} (rules 13-15); the "
    "refund goes back to how you paid (rule 23)",
    "return_for_refund": "Return through a 'return goods and refund' dispute: you pay tracked postage (rules 18-19), "
    "post within {return_ship_days} days to the dispute address, refund at the latest {return_refund_days} days "
    "after (rules 20-21)",
    "partial_refund_keep": "Take the seller's partial refund and keep the item; check the final amount before "
    "accepting, an accepted dispute cannot be reopened (rule 16)",
    "accept_resend": "Let the seller send a replacement: nothing comes back in money, and protection keeps "
    "running meanwhile (rules 2, 8)",
    "keep_and_close": "Keep what you have and do nothing more",
    "settle_off_platform": "A payment outside the platform: never close a dispute, confirm receipt or leave "
    "5 stars for it; if at all, only after the money arrived as a transfer (rules 31-32)",
    "wait_for_refund": "Wait for the refund of the return you posted: at the latest {return_refund_days} days after "
    "posting, then {refund_leaves_platform_days} days to leave the platform and your payment method's payout time "
    "(rules 21, 24); the postage is paid already",
    "pay_matching_order": "Settle on the platform: agree with the seller, pay a new order of the same price and "
    "confirm it received (rule 32, seed L99, L227)",
    "ask_support": "Protection is over, so no dispute can be opened (rule 8): write to AliExpress support, then to "
    "your bank or card issuer with the order and payment details (seed L430-432)",
}
RISKS = {
    "wait_and_extend": "the seller may refuse the extension; a parcel can still be lost",
    "dispute_full_refund": "the platform may ask you to return the item first (rule 17); cashback is usually cancelled",
    "return_for_refund": "postage is yours and may exceed the item's price; the return cannot be cancelled (rule 20)",
    "partial_refund_keep": "sellers lower the amount inside the dispute, even to zero (rule 16)",
    "accept_resend": "if the replacement never comes, protection may have run out (rule 8)",
    "keep_and_close": "any refund still possible is given up",
    "settle_off_platform": "a PayPal payment can be reversed and the dispute is gone (rule 31); never ranked first",
    "wait_for_refund": "keep the tracking number and the postage receipt until the money is back (rule 22)",
    "pay_matching_order": "agree the order with the seller in the order's messages first; keep its receipt",
    "ask_support": "no rule obliges anyone to refund after protection ends",
}
#: (option, problem) -> what differs from the option's general reason or risk for that problem.
REASONS.update(
    {
        ("keep_and_close", "arrived_after_refund"): "Keep the item: the refund is already yours",
        ("return_for_refund", "arrived_after_refund"): "Send the goods back at your cost; the refund is already yours",
        ("return_for_refund", "duplicate"): "Send the extra parcel back at your cost; nothing is refunded (rule 32)",
        ("keep_and_close", "duplicate"): "Keep the extra parcel",
        ("keep_and_close", "not_received"): "Give up: no refund",
        # the order's state (NOTES) wins over its problem
        ("return_for_refund", "return_accepted"): "The seller accepted the return: post it tracked to the address "
        "in the dispute within {return_ship_days} days of getting it and enter the tracking number; refund at the "
        "latest {return_refund_days} days after posting (rules 20-21)",
        ("keep_and_close", "return_accepted"): "Give up the refund: do not post the item back; the dispute closes for "
        "the seller (rule 20)",
        ("keep_and_close", "return_posted"): "Nothing more to do: the item is on its way back",
        ("wait_and_extend", "tracking_bad"): "Not advised: the tracking number fails its check, so there may be no "
        "parcel to wait for; open a dispute with screenshots of the tracking (rule 29)",
        ("wait_and_extend", "tracking_shared"): "Not advised: the tracking number is also on another store's order, "
        "perhaps another customer's parcel; open a dispute with screenshots of the route and your address (rule 29)",
        (
            "wait_and_extend",
            "tracking_stalled",
        ): "Not advised: the tracking has not changed for {tracking_stalled_days} "
        "days or more; act as for a lost parcel and open a dispute (rule 6)",
        ("wait_and_extend", "saver_delivered"): "Not advised: the Saver Shipping parcel shows delivered but did not "
        "reach you; waiting will not bring it, open a dispute (rule 30)",
        ("accept_resend", "resend_late"): "Not advised: a replacement takes about {estimated_delivery_days} days and "
        "would come after protection ends, so if it never comes no dispute is left (rules 2, 8)",
        ("accept_resend", "protection_over"): "Not advised: protection is over, so if the replacement never comes no "
        "dispute is left (rule 8)",
    }
)
RISKS.update(
    {
        ("keep_and_close", "arrived_after_refund"): "you hold goods you were refunded for: the seller may ask to be "
        "paid, and rule 32 says settle fairly",
        ("keep_and_close", "duplicate"): "rule 32 says refuse a duplicate at the post office or send it back",
    }
)


def texts_for(
    texts: dict,
    option: np.ndarray,
    problem_code: np.ndarray,
    note: np.ndarray | None = None,
    values: Mapping[str, np.ndarray] | None = None,
) -> pd.Categorical:
    """``texts[(option, note)]``, else ``texts[(option, problem)]``, else ``texts[option]``, filled, as a categorical.

    A text's ``{placeholders}`` are filled from ``values`` (the rule's value in force for that row), so the
    numbers a text states are always the rulebook's; each distinct filled text is formatted once.

    Parameters
    ----------
    texts : dict
        ``REASONS`` or ``RISKS``: option -> text, (option, problem) -> the text for that problem, and
        (option, note) -> the text for an order in that state (``NOTES``).
    option : numpy.ndarray of int
        Positions in ``OPTIONS``, one per row.
    problem_code : numpy.ndarray of int
        Positions in ``PROBLEMS``, one per row.
    note : numpy.ndarray of int, optional
        Positions in ``NOTES``, -1 for none (default: none).
    values : Mapping[str, numpy.ndarray], optional
        Placeholder -> one value per row [d].

    Returns
    -------
    pandas.Categorical
        One text per row; each distinct text is one category.

    Examples
    --------
    >>> option = np.full(2, OPTIONS.index("keep_and_close"))
    >>> list(texts_for(REASONS, option, np.array(problem_codes(("not_received", "defective")))))
    ['Give up: no refund', 'Keep what you have and do nothing more']
    >>> dispute = np.full(1, OPTIONS.index("dispute_full_refund"))
    >>> days = {"seller_reply_days": np.array([10]), "auto_escalation_days": np.array([15]),
    ...         "platform_decision_days": np.array([7])}
    >>> str(texts_for(REASONS, dispute, np.array([0]), values=days)[0])[:60]
    'Open a dispute for a full refund: the seller has 10 days to '
    """
    keys = [(o, p) for o in OPTIONS for p in PROBLEMS] + [(o, n) for o in OPTIONS for n in NOTES]
    table = np.array([texts.get(k, texts[k[0]]) for k in keys], dtype=object)
    cell = option * len(PROBLEMS) + problem_code
    if note is not None:
        base = len(OPTIONS) * len(PROBLEMS)
        by_note = base + option * len(NOTES) + np.maximum(note, 0)
        special = np.array([k in texts for k in keys])
        cell = np.where((note >= 0) & special[by_note], by_note, cell)
    # Rows are numbered by their distinct (text, values) in integers, in order of first appearance: no text
    # is copied per row. One integer key per row, column by column (numbered again after each column, so it
    # stays below the number of rows): a hash per column, no table of the columns (a few orders or a million).
    columns = {k: np.broadcast_to(np.asarray(v), cell.shape) for k, v in (values or {}).items()}
    group = pd.factorize(cell)[0]
    for column in columns.values():
        if column.size and column.min() == column.max():  # one value for every row (as usual): it splits none
            continue
        value = pd.factorize(column)[0]
        group = pd.factorize(group * (int(value.max(initial=0)) + 1) + value)[0]
    # Each distinct row's first, in the order of its number: codes count up from 0 as rows first appear.
    first = np.flatnonzero(np.diff(np.maximum.accumulate(group), prepend=-1) > 0)
    filled = [_fill({"text": table[cell[i]], **{k: v[i] for k, v in columns.items()}}) for i in first]
    codes, categories = pd.factorize(np.array(filled, dtype=object))
    return pd.Categorical.from_codes(codes[group], categories)


def _fill(row: dict) -> str:
    """``row["text"]`` with its placeholders filled from the rest of ``row``."""
    text = row.pop("text")
    return text.format(**{k: int(v) for k, v in row.items()}) if "{" in text else text


def problem_codes(problems: tuple[str, ...]) -> list[int]:
    """Positions of ``problems`` in ``PROBLEMS``.

    Parameters
    ----------
    problems : tuple of str
        Problem names, each one of ``PROBLEMS``.

    Returns
    -------
    list of int

    Raises
    ------
    ValueError
        If a name is not in ``PROBLEMS``.

    Examples
    --------
    >>> problem_codes(ITEM_PROBLEMS)
    [1, 2, 3, 4]
    """
    return [PROBLEMS.index(p) for p in problems]
