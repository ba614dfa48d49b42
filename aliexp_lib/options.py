"""The ways out of a problem order, as data: which problems each can resolve, and why and at what
risk, in words (English; ``i18n`` translates them). ``resolve`` values and ranks them.
"""

from __future__ import annotations

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
    "settle_off_platform": ("not_received", *ITEM_PROBLEMS, "arrived_after_refund"),
}
REASONS = {
    "wait_and_extend": "Ask the seller to extend protection (rules 3, 7) and wait: the chance it arrives comes from "
    "your own delivery history; if it does not, open a dispute before protection ends (rule 8)",
    "dispute_full_refund": "Open a dispute for a full refund: the seller has 5 days to answer, escalation after 15, "
    "the platform decides in 7 (rules 13-15); the refund goes back to how you paid (rule 23)",
    "return_for_refund": "Return through a 'return goods and refund' dispute: you pay tracked postage (rules 18-19), "
    "post within 10 days to the dispute address, refund at the latest 30 days after (rules 20-21)",
    "partial_refund_keep": "Take the seller's partial refund and keep the item; check the final amount before "
    "accepting, an accepted dispute cannot be reopened (rule 16)",
    "accept_resend": "Let the seller send a replacement: nothing comes back in money, and protection keeps "
    "running meanwhile (rules 2, 8)",
    "keep_and_close": "Keep what you have and do nothing more",
    "settle_off_platform": "A payment outside the platform: never close a dispute, confirm receipt or leave "
    "5 stars for it; if at all, only after the money arrived as a transfer (rules 31-32)",
}
RISKS = {
    "wait_and_extend": "the seller may refuse the extension; a parcel can still be lost",
    "dispute_full_refund": "the platform may ask you to return the item first (rule 17); cashback is usually cancelled",
    "return_for_refund": "postage is yours and may exceed the item's price; the return cannot be cancelled (rule 20)",
    "partial_refund_keep": "sellers lower the amount inside the dispute, even to zero (rule 16)",
    "accept_resend": "if the replacement never comes, protection may have run out (rule 8)",
    "keep_and_close": "any refund still possible is given up",
    "settle_off_platform": "a PayPal payment can be reversed and the dispute is gone (rule 31); never ranked first",
}
#: (option, problem) -> what differs from the option's general reason or risk for that problem.
REASONS.update(
    {
        ("keep_and_close", "arrived_after_refund"): "Keep the item: the refund is already yours",
        ("settle_off_platform", "arrived_after_refund"): "Pay the seller for the goods by a direct transfer, or pay a "
        "matching order and confirm it (rule 32)",
        ("return_for_refund", "arrived_after_refund"): "Send the goods back at your cost; the refund is already yours",
        ("return_for_refund", "duplicate"): "Send the extra parcel back at your cost; nothing is refunded (rule 32)",
        ("keep_and_close", "duplicate"): "Keep the extra parcel",
        ("keep_and_close", "not_received"): "Give up: no refund",
    }
)
RISKS.update(
    {
        ("keep_and_close", "arrived_after_refund"): "you hold goods you were refunded for: the seller may ask to be "
        "paid, and rule 32 says settle fairly",
        ("keep_and_close", "duplicate"): "rule 32 says refuse a duplicate at the post office or send it back",
        ("settle_off_platform", "arrived_after_refund"): "a transfer you send cannot be taken back; keep its receipt",
    }
)


def texts_for(texts: dict, option: np.ndarray, problem_code: np.ndarray) -> pd.Categorical:
    """``texts[(option, problem)]`` where given, else ``texts[option]``, as a categorical.

    Parameters
    ----------
    texts : dict
        ``REASONS`` or ``RISKS``: option -> text, and (option, problem) -> the text for that problem.
    option : numpy.ndarray of int
        Positions in ``OPTIONS``, one per row.
    problem_code : numpy.ndarray of int
        Positions in ``PROBLEMS``, one per row.

    Returns
    -------
    pandas.Categorical
        One text per row; each distinct text is one category.

    Examples
    --------
    >>> option = np.full(2, OPTIONS.index("keep_and_close"))
    >>> list(texts_for(REASONS, option, np.array(problem_codes(("not_received", "defective")))))
    ['Give up: no refund', 'Keep what you have and do nothing more']
    """
    table = [texts.get((o, p), texts[o]) for o in OPTIONS for p in PROBLEMS]
    categories, positions = np.unique(np.array(table, dtype=object), return_inverse=True)
    return pd.Categorical.from_codes(positions[option * len(PROBLEMS) + problem_code], categories=categories)


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
