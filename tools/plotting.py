"""matplotlib for the tools' optional plots: pyplot, or None (with a note
on stderr) where python3-matplotlib is not installed, so that a long fit
still writes its results."""

import sys


def pyplot():
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed (apt install python3-matplotlib):"
              " no plot", file=sys.stderr)
        return None
    return plt
