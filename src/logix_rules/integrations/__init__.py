"""Other execution environments: Spark (public as ``logix_rules.spark``) and the
durable-rules backend (public as ``logix_rules.backends.durable``).
"""
