"""Hostile input: fuzzed messages, hostile attachment names, PDF bombs, header injection."""
