"""``python -m stalker``: the same command as the ``stalker`` console script."""

import sys

from stalker.cli import main

sys.exit(main())
