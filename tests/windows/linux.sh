#!/bin/sh
# The Windows lane's way out of Wine: Wine's `start /unix` runs this Linux script, which runs
# a Linux command (ps, kill) and writes its output and exit code into the file named first.
out="$1"
shift
"$@" >"$out" 2>&1
echo "exit $?" >>"$out"
