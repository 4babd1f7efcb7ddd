"""The logframe editor's sections, one module each (the page script lays them out): a new
project, the results tree, the indicator sheet, targets, the project's details, the
spreadsheet, and officers' proposed changes."""
