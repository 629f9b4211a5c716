"""What PostgreSQL's full-text search reads: one weighted ``tsvector`` per post.

Written by the application in the transaction that writes the post (``services/search/
vectors.py``): the text is folded in Python first (umlauts, ß), which a trigger could not do.
On SQLite the table exists and stays empty; Whoosh's index is used there.
"""
from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db

# A tsvector on PostgreSQL; SQLite has no such type and never fills the column.
TSVector = Text().with_variant(postgresql.TSVECTOR(), "postgresql")


class PostSearch(db.Model):
    __tablename__ = "post_search"

    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"),
                                         primary_key=True)
    # The language the vector was built in (its board's, or the forum's default): a query is
    # matched against a post with the same language's stemming.
    language: Mapped[str] = mapped_column(String(8))
    # The thread title (on the opening post only) weighted A, the body B.
    vector: Mapped[str] = mapped_column(TSVector)

    __table_args__ = (
        Index("ix_post_search_vector", "vector", postgresql_using="gin"),
    )
