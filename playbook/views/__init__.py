"""What people see: words, tables, charts and HTML fragments, built from analysis results.

A view reads a result and decides nothing: every verdict and threshold comes from `analyses/`.
All text from the data is escaped (data never becomes markup), and people's names and emails
are masked unless `show_pii` is set.
"""
