"""`python -m articlebot` is the `articlebot` command."""

import sys

from articlebot.main import main

if __name__ == "__main__":
    sys.exit(main())
