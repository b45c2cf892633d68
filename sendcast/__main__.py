"""``python -m sendcast``: the same as the ``sendcast`` command."""

import sys

from sendcast.cli import main

sys.exit(main())
