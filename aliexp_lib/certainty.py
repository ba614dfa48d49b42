"""What an uncertain way out is worth to a buyer who prefers money for sure: its certainty equivalent.

An option pays its ``sure`` money (what is left if it fails) and, with chance ``p``, more; its expected
money is ``expected``. Treated as a two-outcome gamble with a stake of ``(expected - sure) / p``, its
variance is ``p (1 - p) stake**2``, and the Arrow-Pratt risk premium ``A/2 x variance`` with the
absolute risk aversion ``A = r / stake`` (relative risk aversion ``r`` at the scale of the stake) is

    premium = r/2 x p (1 - p) x stake = certainty_premium x (1 - p) x (expected - sure)

so ``certainty_equivalent = expected - premium`` with ``certainty_premium = r/2`` (the assumption of
that name, ``data/assumptions.toml``). 0 ranks by expected money alone; 1 counts only the sure part of
what is uncertain. Money is int64 minor units, rounded half-even once; the chance in thousandths.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from aliexp_lib.rates import half_even_div

#: Chances are taken in thousandths (the ranking shows them to 3 decimals).
PARTS = 1000


def certainty_equivalent(
    expected: np.ndarray, sure: np.ndarray, likelihood: np.ndarray, premium: Fraction
) -> np.ndarray:
    """``expected - premium x (1 - likelihood) x (expected - sure)``, never below ``sure`` nor above ``expected``.

    Parameters
    ----------
    expected, sure : numpy.ndarray of int64 [minor units]
        Expected money and the money left if the option fails.
    likelihood : numpy.ndarray of float [probability, 0-1]
        The chance the option works (taken in thousandths).
    premium : fractions.Fraction [share, 0-1]
        ``certainty_premium``: the share of the uncertain part given up per unit of the chance it fails.

    Returns
    -------
    numpy.ndarray of int64 [minor units]

    Examples
    --------
    A 50 % dispute worth 420.00 expected (0 if lost) against a 95 % partial refund worth 405.00
    (0 if not paid), with a premium of 1/4: the sure thing is worth more.

    >>> certainty_equivalent(np.array([42000, 40500]), np.array([0, 0]), np.array([0.5, 0.95]), Fraction(1, 4))
    array([36750, 39994])
    >>> certainty_equivalent(np.array([42000]), np.array([0]), np.array([0.5]), Fraction(0))
    array([42000])
    """
    expected, sure = np.asarray(expected, dtype=np.int64), np.asarray(sure, dtype=np.int64)
    fails = PARTS - np.rint(np.asarray(likelihood, dtype=np.float64) * PARTS).astype(np.int64)
    uncertain = np.maximum(expected - sure, 0)
    scale = fails if premium.numerator < 2**20 else fails.astype(object)  # exact beyond int64
    given_up = half_even_div(uncertain, scale * premium.numerator, premium.denominator * PARTS)
    return expected - np.minimum(given_up, uncertain)
