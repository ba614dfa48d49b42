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


def shapes(number: pd.Series) -> tuple[pd.DataFrame, dict[str, pd.Series]]:
    """``number.str.extract(S10)`` (columns 0-3: service, serial, check digit, country; NaN where not
    S10) and, per name of ``OTHER_FORMATS``, ``number.str.match`` of its pattern (bool); the column is
    looked at once for a character outside ASCII.

    Examples
    --------
    >>> parts, matched = shapes(pd.Series(["RB123456785GB", "CN12345678CN", "CNABCDEFGHCN"], dtype="str"))
    >>> parts.to_dict("list"), matched["Cainiao CN"].tolist()  # a Cainiao CN number has a digit
    ({0: ['RB', nan, nan], 1: ['12345678', nan, nan], 2: ['5', nan, nan], 3: ['GB', nan, nan]}, [False, True, False])
    >>> arabic = pd.Series(["1234567890", "\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669\u0660"], dtype="str")
    >>> shapes(arabic)[1]["carrier-specific number"].tolist()  # re's \\d: a digit of any script, as before
    [True, True]
    """
    text = arrow_text(number)
    if pc.all(pc.string_is_ascii(text)).as_py() is False:  # None: no number at all
        return number.str.extract(S10), {name: number.str.match(pattern) for name, pattern in OTHER_FORMATS}
    found = pc.extract_regex(text, _S10_RE2)
    parts = pd.DataFrame(
        {i: pd.Series(pd.array(pc.struct_field(found, [i]), dtype=number.dtype), index=number.index) for i in range(4)}
    )
    matched = {}
    for name, patterns in _OTHER_RE2.items():
        each = [pc.match_substring_regex(text, pattern).to_numpy(zero_copy_only=False) for pattern in patterns]
        matched[name] = pd.Series(each[0] & each[-1], index=number.index)
    return parts, matched


__all__ = ["OTHER_FORMATS", "S10", "shapes"]
