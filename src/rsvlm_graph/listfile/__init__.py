"""The list file: parse it, curate it, lint it, write rows into it, suggest additions, read its history."""
