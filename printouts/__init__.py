"""The printed aftercare sheet: reportlab only, no Qt.

`printouts.sheet.render_sheet` turns a discharge record, the words from content/ and the clinic
config into PDF bytes.
"""
