"""Bench module: a service printing --rate lines a second (60 bytes each) until stopped.

Lines are printed in batches every 10 ms, paced on the monotonic clock, so the rate holds
however long a print takes.
"""
import sys
import time

args = sys.argv[1:]
rate = int(args[args.index("--rate") + 1]) if "--rate" in args else 20000
batch = max(1, rate // 100)
pad = "x" * 49
start = time.monotonic()
i = 0
while True:
    out = []
    for _ in range(batch):
        out.append(f"{i:010d} {pad}")
        i += 1
    sys.stdout.write("\n".join(out) + "\n")
    sys.stdout.flush()
    delay = start + i / rate - time.monotonic()
    if delay > 0:
        time.sleep(delay)
