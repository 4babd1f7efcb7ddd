"""The Log results page's sections (the page script lays them out): one value from what is
due, with its context, breakdown and evidence; and the grid and spreadsheet imports."""
