"""Charts, apart from statistics: one module per concept, seaborn-style axes-level functions."""
