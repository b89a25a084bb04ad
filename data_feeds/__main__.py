"""`python -m data_feeds`: the command line (keys, imports); see data_feeds/api/cli.py."""

import sys

from .api.cli import main

if __name__ == "__main__":
    sys.exit(main())
