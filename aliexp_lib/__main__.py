import sys

from aliexp_lib.cli import main

sys.exit(main())
