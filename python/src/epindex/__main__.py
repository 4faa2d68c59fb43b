"""``python -m epindex``: see _cli.py."""
from __future__ import annotations

import sys


def main() -> int:
    from ._cli import run

    return run(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
