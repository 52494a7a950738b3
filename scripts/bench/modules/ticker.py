"""Bench module: prints time.time() every --interval seconds for --seconds, plain print, no flush.

It waits 0.3 s before the first line so a reader that connects right after starting the run
sees every line live. The child environment has PYTHONUNBUFFERED=1, so print is not buffered.
"""
import sys
import time

args = sys.argv[1:]
seconds = float(args[args.index("--seconds") + 1]) if "--seconds" in args else 5.0
interval = float(args[args.index("--interval") + 1]) if "--interval" in args else 0.1
time.sleep(0.3)
ticks = max(1, int(round(seconds / interval)))
start = time.monotonic()
for i in range(ticks):
    print(repr(time.time()))
    delay = start + (i + 1) * interval - time.monotonic()
    if delay > 0:
        time.sleep(delay)
