#!/usr/bin/env python3
"""Stands in for a kunit.py whose parser dies: a traceback and exit code 1,
no JSON written (what a kunit.py that cannot read this KTAP does)."""
raise ValueError('LineStream: going past EOF, last line was ok 1 tdx_module_model')
