"""``python -m observatory.blog.spam evaluate ...`` until ``observatory spam`` is wired in."""

import sys

from .evaluation import main

sys.exit(main())
