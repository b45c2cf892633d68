"""Money: unit costs, prices and inflation, spend, appraisal, the deficit plan and high-needs income."""
