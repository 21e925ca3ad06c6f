"""The aggregation layer: rows to sufficient statistics, once, inside any dataframe engine."""
