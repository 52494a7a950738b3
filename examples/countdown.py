"""Example module: counts down with a pause between lines, writing to stdout and stderr."""
import argparse
import sys
import time

parser = argparse.ArgumentParser()
parser.add_argument("--start", type=int, default=5)
parser.add_argument("--interval", type=float, default=1.0)
args = parser.parse_args()

for n in range(args.start, 0, -1):
    print(f"{n}...")
    if n % 2 == 0:
        print(f"(stderr) {n} is even", file=sys.stderr)
    time.sleep(args.interval)
print("liftoff")
