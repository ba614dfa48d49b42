"""The example notebooks, shipped with aliexp_lib (installed as ``aliexp_lib.notebooks``); ``aliexp lab`` copies them."""
