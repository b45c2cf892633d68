"""Runtime: run folders, atomic writes, parallel backends, progress bars and the application's errors."""
