"""`python -m bot` is the `articlebot` command; the wiring lives outside the core, in articlebot.main."""

import sys

if __name__ == "__main__":
    from articlebot.main import main

    sys.exit(main())
