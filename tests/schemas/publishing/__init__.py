"""A publishing platform's schema: users, books, chapters, library, comments, payments, bookmarks."""
