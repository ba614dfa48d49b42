"""Data shipped with aliexp_lib: the rulebook and the sample orders (installed as ``aliexp_lib.data``)."""
