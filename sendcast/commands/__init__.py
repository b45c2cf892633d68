"""Command families of the ``sendcast`` CLI, one module each.

Each module exposes ``register(commands)`` which adds its sub-commands to the top-level
sub-parser. :mod:`sendcast.cli` lists the modules in :data:`sendcast.cli.COMMAND_MODULES`;
adding a command family means adding one module here and one name there.
Handlers take the parsed ``argparse.Namespace`` and return an exit status; they print
results (engines never print) and raise :class:`sendcast.runtime.errors.SendcastError` for
anything the user can fix.
"""
