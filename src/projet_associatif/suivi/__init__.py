"""The commission's input: the follow-up workbook, its template and the merge of workbooks."""
