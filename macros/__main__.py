"""``python -m macros build|prepare|engine|finish|serve|schemas``: see :mod:`macros.pipeline`."""

import sys

from .pipeline import main

sys.exit(main())
