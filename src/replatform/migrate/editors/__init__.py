"""One editor per syntax: replace a value, insert a missing property in the file's own style.

Every editor works on the original bytes and returns `Edit`s (splices); none re-serialises a file. Where an
editor needs a position discovery does not record, it re-parses the file with the same parser library.
"""
