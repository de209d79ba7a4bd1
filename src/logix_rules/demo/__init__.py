"""The seeded demo generator behind ``logix demo`` and ``logix_rules.generate_demo``."""
