"""The bundle's entry point: the same as the `k2desk` console script."""

import sys

from k2desk.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
