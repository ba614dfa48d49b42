"""The shapes of tracking numbers (rule 29): UPU S10 and the carriers' own, each matched on a whole column.

``tracking.check_tracking`` asks these of its numbers (upper case, no white space). Python's ``re``
takes one call per number, for S10 and for the Cainiao CN shape, whose look-ahead RE2 lacks. Where
every number is ASCII, Arrow's RE2 answers for the whole column instead (100k numbers: the check
0.55-0.74 s -> 0.36-0.40 s), and the two agree there: ``\\d`` is ``[0-9]`` on ASCII text, and a
number holds no line break for ``$`` to stop before. A column with any other character (an
Arabic-Indic digit, which ``re``'s ``\\d`` takes) is matched by ``re``, as it always was.
"""

from __future__ import annotations

import re

import pandas as pd
import pyarrow.compute as pc

from aliexp_lib.column_scan import arrow_text

#: UPU S10: 2 letters (service indicator), 8 digit serial, 1 check digit, 2 letters (ISO country).
S10 = re.compile(r"^([A-Z]{2})(\d{8})(\d)([A-Z]{2})$")
#: Other shapes AliExpress carriers use: (format name, pattern). None of them has a check digit.
#: Brand names stay as they are in every language; the names in ``tracking.FORMAT_WORDS`` are translated.
OTHER_FORMATS = (
    ("Cainiao LP", re.compile(r"^LP\d{14,16}$")),
    ("YunExpress YT", re.compile(r"^YT\d{16}$")),
    ("Cainiao CN", re.compile(r"^CN(?=[0-9A-Z]*\d)[0-9A-Z]{8,22}$")),
    ("carrier-specific number", re.compile(r"^\d{10,22}$")),
)
#: ``S10`` for RE2 on ASCII text.
_S10_RE2 = r"^(?P<service>[A-Z]{2})(?P<serial>[0-9]{8})(?P<check>[0-9])(?P<country>[A-Z]{2})$"
#: Each of ``OTHER_FORMATS`` for RE2 on ASCII text: patterns a number matches all of (the look-ahead as a second one).
_OTHER_RE2 = {
    "Cainiao LP": (r"^LP[0-9]{14,16}$",),
    "YunExpress YT": (r"^YT[0-9]{16}$",),
    "Cainiao CN": (r"^CN[0-9A-Z]{8,22}$", r"^CN[0-9A-Z]*[0-9]"),
    "carrier-specific number": (r"^[0-9]{10,22}$",),
}


def s10_parts(number: pd.Series) -> pd.DataFrame:
    """``number.str.extract(S10)``: columns 0-3 (service, serial, check digit, country), NaN where not S10.

    Examples
    --------
    >>> s10_parts(pd.Series(["RB123456785GB", "LP00123456789012"], dtype="str")).to_dict("list")
    {0: ['RB', nan], 1: ['12345678', nan], 2: ['5', nan], 3: ['GB', nan]}
    """
    if not _ascii(number):
        return number.str.extract(S10)
    found = pc.extract_regex(arrow_text(number), _S10_RE2)
    return pd.DataFrame(
        {i: pd.Series(pd.array(pc.struct_field(found, [i]), dtype=number.dtype), index=number.index) for i in range(4)}
    )


def has_shape(number: pd.Series, name: str, pattern: re.Pattern) -> pd.Series:
    """``number.str.match(pattern)`` for ``name``'s ``pattern`` of ``OTHER_FORMATS`` (bool).

    Examples
    --------
    >>> numbers = pd.Series(["CN12345678CN", "CNABCDEFGHCN"], dtype="str")  # a Cainiao CN number has a digit
    >>> has_shape(numbers, *OTHER_FORMATS[2]).tolist()
    [True, False]
    >>> arabic = pd.Series(["1234567890", "\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669\u0660"], dtype="str")
    >>> has_shape(arabic, *OTHER_FORMATS[3]).tolist()  # re's \\d: a digit of any script, as before
    [True, True]
    """
    if not _ascii(number):
        return number.str.match(pattern)
    text = arrow_text(number)
    found = [pc.match_substring_regex(text, re2).to_numpy(zero_copy_only=False) for re2 in _OTHER_RE2[name]]
    return pd.Series(found[0] & found[-1], index=number.index)


def _ascii(number: pd.Series) -> bool:
    """Whether every number of ``number`` is ASCII (then RE2 and ``re`` agree on the shapes)."""
    return bool(pc.all(pc.string_is_ascii(arrow_text(number))).as_py() is not False)


__all__ = ["OTHER_FORMATS", "S10", "has_shape", "s10_parts"]
