"""Reports people look at: one self-contained HTML page per roster (map, timeline, tables),
printable itineraries and iCalendar files per caregiver. Pure functions of the scenario and the
read-only roster; the files are written by ``scheduler.io.report_files``."""
