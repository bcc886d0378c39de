"""Admins that take photo uploads: a save that fails leaves no file behind in storage."""

from __future__ import annotations

from articles import stored_files


class RemoveFilesIfSaveFailsMixin:
    def changeform_view(self, request, *args, **kwargs):
        # Outside the admin's own transaction: whatever made it roll back, the files the save
        # wrote (the photo and its renditions) are removed.
        with stored_files.removed_if_failed():
            return super().changeform_view(request, *args, **kwargs)
