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
    >>> Status.DUE_TODAY.label, Status.OVERDUE < Status.CHECK_NOW < Status.UPCOMING < Status.EXPIRED
    ('due_today', True)

    How urgent an open row is also depends on how near its day is (due tomorrow outranks
    anything already missed): ``urgency.urgency_class`` ranks rows, these codes only sort them.
    """

    OVERDUE = 0  #: due < today and still open, and the missed day may still matter (``Expiry``)
    CHECK_NOW = 1  #: an estimated due < today, but the true one may not have passed: look at the order page now
    DUE_TODAY = 2  #: due == today
    UPCOMING = 3  #: due > today
    EXPIRED = 4  #: due < today and closed for good: nothing can reopen the window (``Expiry``)
    DONE = 5  #: closed by an event, or a window that lapsed

    @property
    def label(self) -> str:
        """The code shown in tables: ``overdue``, ``check_now``, ``due_today``, ``upcoming``, ``done``."""
        return self.name.lower()


#: Status values, most urgent first (the categories of the ``status`` column).
STATUSES = tuple(s.label for s in sorted(Status))
#: Statuses of a row nothing more can be done about: left out of next actions, the week, the calendar.
CLOSED = (Status.EXPIRED.label, Status.DONE.label)


class Expiry(enum.Enum):
    """When a missed day (``Status.OVERDUE``) is closed for good (``Status.EXPIRED``), as data on each kind.

    The line is a documented choice read from the seed: a missed day still matters while buyer
    protection runs, since a dispute can still be opened (L390: open it before protection ends,
    else the seller is paid); a last day to open a dispute (protection's end, the 15 days after an
    order closed, L77, L390) cannot be reopened once past. Clocks of a dispute, a return or a refund
    never expire: money is owed until an event closes them.

    Examples
    --------
    >>> [k.name for k in KINDS if k.expires is Expiry.AT_DUE]
    ['protection_ends', 'dispute_after_close', 'dispute_after_auto_close']
    """

    NEVER = "stays overdue until an event closes it"
    AT_DUE = "expired the day after its due: the last day of a window nothing reopens"
    WITH_PROTECTION = "overdue while the order's buyer protection runs, expired once it has ended"


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
    AFTER_START_PAYOUT = "start + the offset rule + the payment method's slowest payout time (rules 24, 26)"


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
    expires : Expiry
        When a missed day is closed for good (``Status.EXPIRED``) rather than ``overdue``.
    milestone : bool
        ``due`` is a day something happens by itself (the refund leaves AliExpress), not a last day
        to act: once past, ``done`` (what follows has a clock of its own).

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
    expires: Expiry = Expiry.NEVER  #: when a missed day is closed for good
    milestone: bool = False  #: due is a day something happens by itself: once past, done

    @property
    def offset_rule(self) -> str:
        """The rulebook id whose value [d] offsets ``due`` (``offset``, else the first of ``rules``)."""
        return self.offset or self.rules[0]


#: Who can act on a clock: the buyer ("you"), or the one the buyer waits on.
ACTORS = ("you", "seller", "platform", "bank")
#: How each actor is named to the buyer (English message ids; ``i18n`` translates).
ACTOR_NAMES = {"you": "You", "seller": "The seller", "platform": "AliExpress", "bank": "Your bank or wallet"}

REFUND = "refund_issued_at"
#: Derived events (``episodes.derive_events``), used like date columns by the kinds below.
DISPUTE_STANDS = "dispute_stands"  #: a dispute was opened and not cancelled (a cancelled one leaves protection running)
DISPUTE_ENDED = "dispute_ended"  #: the dispute closed: won, lost, cancelled or agreed, and not reopened since
ORDER_CLOSED = "order_closed_at"  #: the order closed without the buyer's confirmation (recorded, or protection ran out)
#: What to do when an estimated last day is already past (``Status.CHECK_NOW``).
CHECK_NOW = "This estimated date has passed, but the real one may not have: look at the order page now"
#: What is left once a missed day has expired (``Status.EXPIRED``) on a kind that is not itself a last day.
EXPIRED = "Buyer protection has ended, so this no longer matters: only AliExpress support can help now"
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
        expires=Expiry.WITH_PROTECTION,
    ),
    Kind(
        "tracking_stalled",
        "last_tracking_update_at",
        ("tracking_stalled_days",),
        ("received_at", "confirmed_at", DISPUTE_STANDS, REFUND),
        "If tracking has not moved by this date, treat the parcel as lost",
        "Tracking has stopped moving: ask the seller, then open a dispute (not received) before protection ends",
        "Parcel received or dispute opened",
        actor="you",  # the buyer asks the seller, then disputes
        expires=Expiry.WITH_PROTECTION,
    ),
    Kind(
        "ask_extension",
        "shipped_at",
        ("protection_days", "protection_cap_days", "ask_extension_latest_days", "ask_extension_earliest_days"),
        ("received_at", "confirmed_at", DISPUTE_STANDS, REFUND),
        "Parcel still travelling? In the days before this date ask the seller to extend buyer protection",
        "Too late to ask safely for an extension: open a dispute before protection ends",
        "No extension needed: parcel received, dispute opened, or protection already at its maximum",
        due_by=Due.BEFORE_PROTECTION_END,
        offset="ask_extension_latest_days",
        closed_at_cap=True,
        actor="you",  # the buyer asks the seller for the extension
        expires=Expiry.WITH_PROTECTION,
    ),
    Kind(
        "protection_ends",
        "shipped_at",
        ("protection_days", "protection_cap_days"),
        ("confirmed_at", DISPUTE_STANDS, REFUND),
        "Buyer protection ends: open a dispute by this date if the parcel has not arrived or is faulty",
        "Buyer protection has ended and the seller is paid; only AliExpress support can help now",
        "Protection over: receipt confirmed, dispute opened, or the parcel arrived and the term ran out",
        due_by=Due.PROTECTION_END,
        lapses_if=("received_at",),
        actor="you",  # only the buyer can open the dispute before protection ends
        expires=Expiry.AT_DUE,  # the next day the order closes (dispute_after_auto_close takes over)
    ),
    Kind(
        "dispute_after_close",
        "confirmed_at",
        ("dispute_after_close_days",),
        (DISPUTE_STANDS, REFUND),
        "Receipt confirmed: if the item did not arrive or is faulty, open a dispute by this date",
        "Nothing arrived and the time to dispute after confirming receipt is over: contact AliExpress support",
        "Dispute opened, refund issued, or the item arrived and the time to dispute is over",
        lapses_if=("received_at",),
        actor="you",  # only the buyer can open the dispute after confirming receipt
        expires=Expiry.AT_DUE,
    ),
    Kind(
        "dispute_after_auto_close",
        ORDER_CLOSED,
        ("dispute_after_close_days",),
        (DISPUTE_STANDS, "confirmed_at", REFUND),
        "The order closed when buyer protection ran out: if the item did not arrive or is faulty, "
        "open a dispute by this date",
        "The time to dispute after the order closed is over: only AliExpress support can help now",
        "Dispute opened, receipt confirmed or refund issued after the order closed",
        actor="you",  # seed L77, L390: 15 days after the order closed to open a dispute
        expires=Expiry.AT_DUE,
    ),
    Kind(
        "seller_reply_due",
        "dispute_opened_at",
        ("seller_reply_days",),
        ("dispute_escalated_at", "return_address_at", REFUND, DISPUTE_ENDED),
        "The seller must accept or propose a solution by this date; silence closes the dispute in your favour",
        "The seller's time to answer is over: check the dispute; if the seller refused, escalate it",
        "Seller agreed to a return, dispute escalated or ended, or refund issued",
        actor="seller",  # the seller must answer the dispute
    ),
    Kind(
        "auto_escalation",
        "dispute_opened_at",
        ("auto_escalation_days",),
        ("dispute_escalated_at", "return_address_at", REFUND, DISPUTE_ENDED),
        "Without agreement by this date the dispute goes to AliExpress automatically",
        "No agreement in time: check that the dispute was escalated; if not, escalate it with your evidence",
        "Dispute escalated, return agreed, dispute ended, or refund issued",
        actor="platform",  # AliExpress escalates the dispute by itself
    ),
    Kind(
        "decision_due",
        "dispute_escalated_at",
        ("platform_decision_days",),
        ("return_address_at", REFUND, DISPUTE_ENDED),
        "AliExpress should decide the escalated dispute by this date; answer any request for evidence",
        "The decision is late: answer any request for evidence and contact AliExpress support",
        "Decided: refund issued, return asked for, or the dispute ended",
        actor="platform",  # AliExpress decides the escalated dispute
    ),
    Kind(
        "return_ship_by",
        "return_address_at",
        ("return_ship_days",),
        ("return_shipped_at", REFUND, DISPUTE_ENDED),
        "Post the return, tracked, to the address in the dispute only, and enter the tracking number by this date",
        "The time to post the return is over: the dispute may have closed for the seller; contact support",
        "Return posted or refund issued",
        actor="you",  # the buyer posts the return
    ),
    Kind(
        "return_refund_by",
        "return_shipped_at",
        ("return_refund_days",),
        (REFUND, DISPUTE_ENDED),
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
        "Refund received, or on its way to your account since this date",
        actor="platform",  # AliExpress sends the refund out
        milestone=True,  # past it, the refund is in transit: refund_overdue says when it is late
    ),
    Kind(
        "refund_overdue",
        REFUND,
        ("refund_leaves_platform_days", "payout_times.csv"),
        ("refund_received_at",),
        "The refund should reach your account by this date",
        "Refund not arrived: check the card's expiry, then AliExpress/Alipay support, then your bank",
        "Refund received",
        due_by=Due.AFTER_START_PAYOUT,
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
        Status.EXPIRED: kind.overdue if kind.expires is Expiry.AT_DUE else EXPIRED,
        Status.DONE: kind.done,
    }[status]
