"""The public pages: entity list, entity pages (the atlas grows from here)."""
