"""The one exception type for bad input: what is wrong, and where."""

from __future__ import annotations


class InputError(ValueError):
    """Bad input from the user: a file, a cell, a setting. ``str()`` is the message to show."""


class CellError(InputError):
    """Bad values in cells of a table file; ``problems`` lists each one with its place."""

    def __init__(self, path: str, problems: list[str], limit: int = 20):
        self.path = path
        self.problems = problems
        shown = problems[:limit]
        more = f"\n  ... and {len(problems) - limit} more" if len(problems) > limit else ""
        noun = "problem" if len(problems) == 1 else "problems"
        super().__init__(f"{path}: {len(problems)} {noun}:\n  " + "\n  ".join(shown) + more)
