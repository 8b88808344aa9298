"""`python -m newscrawler.demo` = `python -m newscrawler.demo.server`."""

import sys

from newscrawler.demo.server import main

sys.exit(main())
