"""Bench module: prints the wall clock (time.time()) as its very first line, then exits."""
import time

print(repr(time.time()))
