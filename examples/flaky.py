"""Example module: exits with the code it is given, to show a failed run."""
import argparse
import sys

parser = argparse.ArgumentParser()
parser.add_argument("--exit_code", type=int, default=1)
args = parser.parse_args()
print(f"about to exit with code {args.exit_code}")
print("something went wrong" if args.exit_code else "all good", file=sys.stderr)
sys.exit(args.exit_code)
