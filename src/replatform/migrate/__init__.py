"""Migrate: turn findings and the inventory into verified edits (``replatform migrate``).

Takes a scanned `Report` and a target (graviton, sagemaker, ...); returns `Fix`es whose edits are byte splices
on the original files, checked by re-parsing, re-scanning and format validators before they are offered or written.
"""
