"""Exchange with the outside world: IATI 2.03 activity XML (export and import) and
analysis-ready CSV/Excel tables. Built on top of the queries (read side) and written through
import-specific service functions that check permission, validate, write and audit."""
