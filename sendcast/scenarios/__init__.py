"""Scenarios: the files planners write, the parameters built from data, and the one pipeline that runs them."""
