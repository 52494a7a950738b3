"""Bench module: the smallest useful run, one line of output."""
print("ok")
