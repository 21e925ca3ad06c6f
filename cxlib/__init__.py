"""CX Workbook helper library."""
