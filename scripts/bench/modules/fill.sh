#!/bin/sh
# Bench module: the cheapest possible run, used to fill the run history quickly.
echo ok
