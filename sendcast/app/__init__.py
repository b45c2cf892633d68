"""``sendcast app``: a local web app for sufficiency planners (Shiny for Python).

Four pages: Area (an LA beside England and its statistical neighbours; the data's vintage),
Forecast (fan charts with the method's track record; sufficiency against places), Options
(move the levers of a scenario, run a paired comparison with the baseline with a progress bar
and a cancel button) and Download (the run folder ``sendcast compare`` writes, as a zip).

A thin layer: every number comes from the application layer's public functions; the app
holds no model logic. :mod:`sendcast.app.workspace` holds the app's state,
:mod:`sendcast.app.jobs` runs long work off the page's thread, :mod:`sendcast.app.pages` lays
out the pages and :mod:`sendcast.app.server` fills them.
"""
