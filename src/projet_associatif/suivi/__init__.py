"""The commission's input: the follow-up workbook, its template and the merge of workbooks.

- ``schemas/``: one Frictionless Table Schema per sheet (the one description of its columns);
- :mod:`.schema` loads them; :mod:`.cells` parses a cell; :mod:`.sheets` reads raw rows;
- :mod:`.rows` checks a row against its schema; :mod:`.checks` holds each sheet's own rules;
- :mod:`.reader` (:func:`~.reader.read_suivi` → :class:`~.reader.Suivi`);
- :mod:`.referentiel`: ids the data package knows; :mod:`.template`: the workbook to fill in;
- :mod:`.fusion`: merge of coordinators' workbooks.
"""
