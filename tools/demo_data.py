"""Kept so that `python -m tools.demo_data` still works: the generator lives in tools/demo/."""
import sys

from tools.demo import build, expected_figures, generate, main, verify  # noqa: F401

if __name__ == "__main__":
    sys.exit(main())
