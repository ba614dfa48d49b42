"""The kinds of deadline, as data: what starts each clock, which rules give its due day and how
(``Due``), what closes it, and what to do in each ``Status`` (plain English; ``i18n`` translates).

``deadlines.compute_deadlines`` reads these; a new clock is a ``[[rule]]`` in ``data/rulebook.toml``
and a ``Kind`` here.
"""

from __future__ import annotations

import dataclasses
import enum


class Status(enum.IntEnum):
    """Where a deadline stands on ``today``; the codes order urgency (smaller: more urgent).

    Examples
    --------
    >>> Status.DUE_TODAY.label, Status.OVERDUE < Status.CHECK_NOW < Status.UPCOMING
    ('due_today', True)
    """

    OVERDUE = 0  #: due < today and still open
    CHECK_NOW = 1  #: an estimated due < today, but the true one may not have passed: look at the order page now
    DUE_TODAY = 2  #: due == today
    UPCOMING = 3  #: due > today
    DONE = 4  #: closed by an event, or a window that lapsed

    @property
    def label(self) -> str:
        """The code shown in tables: ``overdue``, ``check_now``, ``due_today``, ``upcoming``, ``done``."""
        return self.name.lower()


#: Status values, most urgent first (the categories of the ``status`` column).
STATUSES = tuple(s.label for s in sorted(Status))


class Due(enum.Enum):
    """How a kind's ``due`` day is computed from its start (named strategies, as data on each kind).

    Every day is a day number; each rule's value is the entry in force on the day the clock started.

    Examples
    --------
    >>> [k.name for k in KINDS if k.due_by is Due.PROTECTION_END]
    ['protection_ends']
    """

    AFTER_START = "start + the kind's offset rule"
    PROTECTION_END = "shipped + min(protection term + extensions, cap) (rules 2-3)"
    BEFORE_PROTECTION_END = "protection end - the kind's offset rule, never before shipment (rule 7)"


@dataclasses.dataclass(frozen=True)
class Kind:
    """One kind of deadline: its clock, what stops it, and what to do (plain words).

    Attributes
    ----------
    name : str
        The code in the ``kind`` column.
    start : str
        The date column of the event that starts the clock (day 0).
    rules : tuple of str
        Rulebook ids the due date is computed from (shown in the ``rule`` column).
    closed_by : tuple of str
        Date columns: any of these events makes the deadline ``done``.
    pending, overdue, done : str
        What to do while upcoming or due today, once past, and what ``done`` means.
    due_by : Due
        How ``due`` is computed; ``offset`` names the rule [d] it adds (default ``rules[0]``).
    window_opens : bool
        ``due`` is the first day something becomes possible: once past, ``done``.
    lapses_if : tuple of str
        Once past due, ``done`` (a window that closed) if any of these events happened.
    closed_at_cap : bool
        ``done`` where protection already reaches its cap (no extension possible).
    actor : {"you", "seller", "platform", "bank"}
        Who must act before ``due`` (``ACTORS``): the buyer, or the one the buyer waits on.
    check : str
        What to do in ``check_now`` (an estimated due already past; default ``CHECK_NOW``).
    open_end : bool
        The true last day is an event of unknown date (the seller's shipping): always an estimate.
    upper : str
        The rule [d] giving the latest the due can be (default the offset rule), for the estimates.

    Examples
    --------
    >>> seller = next(k for k in KINDS if k.name == "seller_reply_due")
    >>> seller.start, seller.offset_rule
    ('dispute_opened_at', 'seller_reply_days')
    """

    name: str
    start: str  #: event that starts the clock (day 0)
    rules: tuple[str, ...]  #: rulebook ids the due date is computed from
    closed_by: tuple[str, ...]  #: any of these events makes the deadline done
    pending: str  #: action while upcoming or due today
    overdue: str  #: action once past
    done: str  #: what "done" means here
    due_by: Due = Due.AFTER_START  #: how ``due`` is computed
    window_opens: bool = False  #: due is the first day something becomes possible: once past, done
    lapses_if: tuple[str, ...] = ()  #: once past due, done (a window that closed) if any of these happened
    closed_at_cap: bool = False  #: done where protection already reaches its cap (no extension possible)
    offset: str = ""  #: the rule [d] added to the start, or taken from the protection end; default ``rules[0]``
    actor: str = "you"  #: who must act before ``due``: one of ``ACTORS``
    check: str = ""  #: action in ``check_now``; default ``CHECK_NOW``
    open_end: bool = False  #: the true last day is an event of unknown date: always an estimate
    upper: str = ""  #: the rule [d] giving the latest the due can be; default the offset rule

    @property
    def offset_rule(self) -> str:
        """The rulebook id whose value [d] offsets ``due`` (``offset``, else the first of ``rules``)."""
        return self.offset or self.rules[0]


#: Who can act on a clock: the buyer ("you"), or the one the buyer waits on.
ACTORS = ("you", "seller", "platform", "bank")

REFUND = "refund_issued_at"
#: What to do when an estimated last day is already past (``Status.CHECK_NOW``).
CHECK_NOW = "This estimated date has passed, but the real one may not have: look at the order page now"
KINDS = (
    Kind(
        "cancel_unshipped",
        "paid_at",
        ("cancel_unshipped_days", "seller_ship_max_days"),
        ("shipped_at", REFUND),
        "You can cancel the order (for instance if the cashback did not show) only until the seller ships it",
        "The order may have shipped already: look at the order page; while it awaits shipment you can still cancel",
        "Shipped or refunded: the order can no longer be cancelled",
        open_end=True,
        upper="seller_ship_max_days",
        check="The seller may ship any day: to cancel, do it now on the order page while it awaits shipment",
        actor="you",  # only the buyer can ask to cancel
    ),
    Kind(
        "seller_ships_by",
        "paid_at",
        ("seller_ship_days", "seller_ship_max_days"),
        ("shipped_at", REFUND),
        "The seller must ship by this date (the order page counts down); if not, the order is cancelled and refunded",
        "The seller's time to ship is over: look at the order page; an unshipped order is cancelled and refunded",
        "Shipped or refunded",
        upper="seller_ship_max_days",
        actor="seller",  # the seller ships
    ),
    Kind(
        "dispute_opens",
        "shipped_at",
        ("dispute_earliest_days",),
        ("dispute_opened_at", "confirmed_at", REFUND),
        "Wait: a dispute can be opened from this date on",
        "A dispute can be opened if needed",
        "A dispute can be opened if needed (or one is already open)",
        window_opens=True,
        actor="you",  # the buyer decides whether to open a dispute
    ),
    Kind(
        "tracking_check",
        "shipped_at",
        ("tracking_check_days",),
        ("last_tracking_update_at", "received_at", "confirmed_at", REFUND),
        "Check from this date that the tracking number shows the parcel moving",
        "No tracking update recorded: check the number; if no service knows it, ask the seller and keep screenshots",
        "Tracking seen or parcel received",
        actor="you",  # the buyer looks the tracking number up
    ),
    Kind(
        "tracking_stalled",
        "last_tracking_update_at",
        ("tracking_stalled_days",),
        ("received_at", "confirmed_at", "dispute_opened_at", REFUND),
        "If tracking has not moved by this date, treat the parcel as lost",
        "Tracking has stopped moving: ask the seller, then open a dispute (not received) before protection ends",
        "Parcel received or dispute opened",
        actor="you",  # the buyer asks the seller, then disputes
    ),
    Kind(
        "ask_extension",
        "shipped_at",
        ("protection_days", "protection_cap_days", "ask_extension_latest_days", "ask_extension_earliest_days"),
        ("received_at", "confirmed_at", "dispute_opened_at", REFUND),
        "Parcel still travelling? In the days before this date ask the seller to extend buyer protection",
        "Too late to ask safely for an extension: open a dispute before protection ends",
        "No extension needed: parcel received, dispute opened, or protection already at its maximum",
        due_by=Due.BEFORE_PROTECTION_END,
        offset="ask_extension_latest_days",
        closed_at_cap=True,
        actor="you",  # the buyer asks the seller for the extension
    ),
    Kind(
        "protection_ends",
        "shipped_at",
        ("protection_days", "protection_cap_days"),
        ("confirmed_at", "dispute_opened_at", REFUND),
        "Buyer protection ends: open a dispute by this date if the parcel has not arrived or is faulty",
        "Buyer protection has ended and the seller is paid; only AliExpress support can help now",
        "Protection over: receipt confirmed, dispute opened, or the parcel arrived and the term ran out",
        due_by=Due.PROTECTION_END,
        lapses_if=("received_at",),
        actor="you",  # only the buyer can open the dispute before protection ends
    ),
    Kind(
        "dispute_after_close",
        "confirmed_at",
        ("dispute_after_close_days",),
        ("dispute_opened_at", REFUND),
        "Receipt confirmed: if the item did not arrive or is faulty, open a dispute by this date",
        "Nothing arrived and the time to dispute after confirming receipt is over: contact AliExpress support",
        "Dispute opened, refund issued, or the item arrived and the time to dispute is over",
        lapses_if=("received_at",),
        actor="you",  # only the buyer can open the dispute after confirming receipt
    ),
    Kind(
        "seller_reply_due",
        "dispute_opened_at",
        ("seller_reply_days",),
        ("dispute_escalated_at", "return_address_at", REFUND),
        "The seller must accept or propose a solution by this date; silence closes the dispute in your favour",
        "The seller's time to answer is over: check the dispute; if the seller refused, escalate it",
        "Seller agreed to a return, dispute escalated, or refund issued",
        actor="seller",  # the seller must answer the dispute
    ),
    Kind(
        "auto_escalation",
        "dispute_opened_at",
        ("auto_escalation_days",),
        ("dispute_escalated_at", "return_address_at", REFUND),
        "Without agreement by this date the dispute goes to AliExpress automatically",
        "No agreement in time: check that the dispute was escalated; if not, escalate it with your evidence",
        "Dispute escalated, return agreed, or refund issued",
        actor="platform",  # AliExpress escalates the dispute by itself
    ),
    Kind(
        "decision_due",
        "dispute_escalated_at",
        ("platform_decision_days",),
        ("return_address_at", REFUND),
        "AliExpress should decide the escalated dispute by this date; answer any request for evidence",
        "The decision is late: answer any request for evidence and contact AliExpress support",
        "Decided: refund issued or return asked for",
        actor="platform",  # AliExpress decides the escalated dispute
    ),
    Kind(
        "return_ship_by",
        "return_address_at",
        ("return_ship_days",),
        ("return_shipped_at", REFUND),
        "Post the return, tracked, to the address in the dispute only, and enter the tracking number by this date",
        "The time to post the return is over: the dispute may have closed for the seller; contact support",
        "Return posted or refund issued",
        actor="you",  # the buyer posts the return
    ),
    Kind(
        "return_refund_by",
        "return_shipped_at",
        ("return_refund_days",),
        (REFUND,),
        "Refund for the return due by this date at the latest; do not extend the seller's timer",
        "The return's refund is late: contact AliExpress support with the return's tracking number",
        "Refund issued",
        actor="platform",  # AliExpress refunds once the seller has the return
    ),
    Kind(
        "refund_leaves_platform",
        REFUND,
        ("refund_leaves_platform_days",),
        ("refund_received_at",),
        "The refund should leave AliExpress by this date; it shows in the Payments tab",
        "Check the Payments tab: no refund row there means no refund was made",
        "Refund received",
        actor="platform",  # AliExpress sends the refund out
    ),
    Kind(
        "refund_overdue",
        REFUND,
        ("refund_arrival_days",),
        ("refund_received_at",),
        "The refund should reach your account by this date",
        "Refund not arrived: check the card's expiry, then AliExpress/Alipay support, then your bank",
        "Refund received",
        actor="bank",  # the bank or wallet credits the refund
    ),
)
KIND_NAMES = tuple(k.name for k in KINDS)


def action(kind: Kind, status: Status) -> str:
    """What to do about ``kind`` in ``status`` (plain English).

    Examples
    --------
    >>> action(KINDS[2], Status.UPCOMING)
    'Wait: a dispute can be opened from this date on'
    """
    return {
        Status.OVERDUE: kind.overdue,
        Status.CHECK_NOW: kind.check or CHECK_NOW,
        Status.DUE_TODAY: kind.pending,
        Status.UPCOMING: kind.pending,
        Status.DONE: kind.done,
    }[status]
