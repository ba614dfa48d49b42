"""aliexp: deadlines and money decisions for AliExpress buyers whose orders go wrong.

Data flows one way: orders in (``orders``) -> rulebook (``rules``) -> deadlines (``deadlines``)
-> views (``cli``).
"""

from aliexp_lib.deadlines import compute_deadlines, next_actions
from aliexp_lib.errors import InputError
from aliexp_lib.money import Money
from aliexp_lib.orders import OrderBook, load_orders
from aliexp_lib.rules import Rulebook, load_rulebook

__all__ = [
    "InputError",
    "Money",
    "OrderBook",
    "Rulebook",
    "compute_deadlines",
    "load_orders",
    "load_rulebook",
    "next_actions",
]
