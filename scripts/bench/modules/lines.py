"""Bench module: prints --count lines of 60 bytes each: a 10-digit index, a space, 49 x's."""
import sys

args = sys.argv[1:]
count = int(args[args.index("--count") + 1]) if "--count" in args else 1000
pad = "x" * 49
for i in range(count):
    print(f"{i:010d} {pad}")
