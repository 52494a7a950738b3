"""Example module: greets someone; uses every parameter type of the module file."""
import argparse
import os

parser = argparse.ArgumentParser()
parser.add_argument("--name", default="world")
parser.add_argument("--count", type=int, default=1)
parser.add_argument("--style", choices=["plain", "fancy"], default="plain")
parser.add_argument("--shout", action="store_true")
parser.add_argument("--api_key", default="")
parser.add_argument("--prefix", default="")
args = parser.parse_args()

for i in range(args.count):
    text = f"Hello, {args.name}!"
    if args.style == "fancy":
        text = f"*** {text} ***"
    if args.prefix:
        text = f"{args.prefix} {text}"
    print(text.upper() if args.shout else text)

print(f"run id: {os.environ.get('PRISMQ_RUN_ID')}, api key given: {bool(args.api_key)}")
