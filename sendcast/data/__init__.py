"""The data layer: published DfE and ONS files in, one tidy table of measures out.

Public entry points:

- :func:`sendcast.data.build.build_dataset` reads the raw files and returns the tidy
  table, the LA list, the series breaks, the consistency checks and a manifest.
- :func:`sendcast.data.store.load_dataset` reads the processed files (building them
  first when they are missing or stale).
"""
