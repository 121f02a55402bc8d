"""Importers: bring records from other systems into Touchline through the domain's aggregates.

- ``csvfiles``: read a CSV file whose column set must match, row by row with line numbers;
  the reject report.
- ``batches``: load the stored aggregates an import touches in one pass, save new events in
  batches (one transaction each), rejecting a single row when its save conflicts.
- ``maven`` (with ``maven_rows`` and ``maven_sync``): the Maven Analytics CRM sample data set.

Importers are plain code taking the application, a clock and a source; the click commands in
``web/commands/imports.py`` only wire services and print.
"""
