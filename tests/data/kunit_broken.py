#!/usr/bin/env python3
"""Stands in for a kunit.py that cannot run: an error and exit code 2."""
import sys

sys.stderr.write("kunit.py: error: argument subcommand: invalid choice: 'parse'\n")
sys.exit(2)
