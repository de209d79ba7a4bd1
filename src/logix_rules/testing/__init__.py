"""The testing toolkit: Hypothesis strategies (public as ``logix_rules.strategies``),
scenario files and the pytest plugin.
"""
