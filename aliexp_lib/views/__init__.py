"""Views: tables, figures and widgets for people, built from the engines; notebooks call these.

Importing the package keeps jsonschema from loading its checker of the "iri" format
(``skip_the_iri_format_checker``): a plotly figure shown in a notebook imports nbformat, which imports
jsonschema, whose checker compiles about 40 grammars on import (1.2 s of each notebook's first figure
on this machine; python-jsonschema/jsonschema#1428). Every notebook and the report import a view
before their first figure, so none pays it.
"""

import sys


def skip_the_iri_format_checker() -> None:
    """Keep jsonschema from importing ``rfc3987_syntax`` (the "iri" format's checker; no notebook schema
    has an "iri" field): it is marked as not importable, which jsonschema takes as "not installed".
    Where it is imported already, nothing changes."""
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]  # None: "import" raises ImportError


skip_the_iri_format_checker()
