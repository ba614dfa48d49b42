"""aliexp: deadlines and money decisions for AliExpress buyers whose orders go wrong.

Data flows one way: orders in (``orders``) -> setting (``rules``, ``costs``, ``rates``, ``setting``) ->
deadlines (``deadlines``) -> options (``resolve``) -> one analysis (``analysis``) -> views
(``views``, ``report``, ``cli``). See ARCHITECTURE.md.
"""

from aliexp_lib.analysis import Analysis, analyse, analyse_file
from aliexp_lib.deadlines import compute_deadlines, next_actions
from aliexp_lib.errors import InputError
from aliexp_lib.money import Money
from aliexp_lib.orders import OrderBook, load_orders
from aliexp_lib.resolve import break_even, rank_options
from aliexp_lib.rules import Rulebook, load_rulebook
from aliexp_lib.setting import Setting, build_setting
from aliexp_lib.tracking import check_tracking

__all__ = [
    "Analysis",
    "InputError",
    "Money",
    "OrderBook",
    "Rulebook",
    "Setting",
    "analyse",
    "analyse_file",
    "break_even",
    "build_setting",
    "check_tracking",
    "compute_deadlines",
    "load_orders",
    "load_rulebook",
    "next_actions",
    "rank_options",
]
