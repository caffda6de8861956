"""What happens to a workflow beyond one save: its versions, and importing a document from elsewhere."""
