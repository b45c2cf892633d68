"""Reporting: tables, charts, the finance workbook, the HTML report and statutory exports."""
