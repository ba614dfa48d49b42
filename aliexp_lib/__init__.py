"""aliexp: deadlines and money decisions for AliExpress buyers whose orders go wrong.

Data flows one way: orders in (``orders``) -> rulebook (``rules``) -> deadlines (``deadlines``)
-> options (``resolve``) -> views (``cli``).
"""

from aliexp_lib.deadlines import compute_deadlines, next_actions
from aliexp_lib.errors import InputError
from aliexp_lib.money import Money
from aliexp_lib.orders import OrderBook, load_orders
from aliexp_lib.resolve import Setting, break_even, rank_options
from aliexp_lib.rules import Rulebook, load_rulebook
from aliexp_lib.tracking import check_tracking

__all__ = [
    "InputError",
    "Money",
    "OrderBook",
    "Rulebook",
    "Setting",
    "break_even",
    "check_tracking",
    "compute_deadlines",
    "load_orders",
    "load_rulebook",
    "next_actions",
    "rank_options",
]
