"""A stdin filter at its simplest: copies its stdin to its stdout."""
import shutil
import sys

shutil.copyfileobj(sys.stdin.buffer, sys.stdout.buffer, 1 << 20)
