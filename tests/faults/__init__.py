"""Fault tests: a real daemon killed, its servers stopped, flooded, starved of disk."""
