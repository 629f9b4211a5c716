"""The rules and the privacy notice: versions, publishing, accepting again after a change."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum.errors import Refused
from forum.extensions import db
from forum.models import Setting, SiteDocument
from forum.policy import Policy
from forum.services.accounts import joining
from forum.services.content import posting
from forum.services.site import documents
from forum.stores import settings
from tests import factories

from .moderation_kit import T0, actions


def test_nothing_is_published_at_first(app, member):
    assert documents.current("rules") is None
    assert settings.document_version("rules") == 0
    assert settings.documents_accepted(member)
    assert not joining.documents_published()


def test_publishing_makes_a_version_logs_it_and_keeps_earlier_ones(admin):
    first = documents.publish(admin, "rules", "# Be kind\r\n\r\nNo spam.", now=T0)
    assert (first.version, first.body, first.created_by_id) == (1, "# Be kind\n\nNo spam.",
                                                                admin.id)
    assert "<h1>Be kind</h1>" in first.body_html
    second = documents.publish(admin, "rules", "Be very kind.", now=T0 + timedelta(hours=1))
    assert second.version == 2
    assert documents.current("rules").id == second.id
    assert [d.version for d in documents.versions(Policy(admin), "rules")] == [2, 1]
    assert settings.document_version("rules") == 2
    assert db.session.get(Setting, "rules_version").value == 2
    entries = actions("document.publish")
    assert [(e.before, e.after) for e in entries] == [
        ({"version": 0}, {"version": 1}), ({"version": 1}, {"version": 2})]
    assert entries[1].target_label == "community rules v2"
    # The privacy notice counts on its own.
    assert documents.publish(admin, "privacy", "We keep little.").version == 1


def test_an_unchanged_text_publishes_nothing(admin):
    documents.publish(admin, "privacy", "We keep little.")
    assert documents.publish(admin, "privacy", "  We keep little.\n") is None
    assert db.session.scalar(select(func.count(SiteDocument.id))) == 1
    assert len(actions("document.publish")) == 1


def test_raw_html_in_a_document_is_not_trusted(admin):
    document = documents.publish(admin, "rules", "<script>alert(1)</script> **ok**")
    assert "<script>" not in document.body_html and "<strong>ok</strong>" in document.body_html


@pytest.mark.parametrize("body, message", [
    ("", "The community rules need some text."),
    ("   \n ", "The community rules need some text."),
    ("x" * (documents.DOCUMENT_MAX + 1), "Keep the community rules under 50,000 characters."),
])
def test_bad_texts_are_refused(admin, body, message):
    with pytest.raises(Refused) as refused:
        documents.publish(admin, "rules", body)
    assert refused.value.status == 400 and refused.value.reason == message
    assert documents.current("rules") is None


def test_only_administrators_publish(app, member, moderator):
    for user in (member, moderator):
        with pytest.raises(Refused) as refused:
            documents.publish(user, "rules", "Mine now.")
        assert refused.value.status == 403
    with pytest.raises(Refused):
        documents.versions(Policy(member), "rules")


def test_unknown_documents_are_404(admin):
    with pytest.raises(Refused) as refused:
        documents.publish(admin, "terms", "Text")
    assert refused.value.status == 404


def test_a_changed_document_stops_posting_until_accepted(admin, member):
    board = factories.make_board()
    thread = factories.make_thread(board, author=member)
    documents.publish(admin, "rules", "Version one.")
    settings.clear_cache()
    assert not settings.documents_accepted(member)
    decision = Policy(member).can_reply(thread)
    assert not decision and "accept" in decision.reason
    with pytest.raises(Refused, match="accept"):
        posting.reply(member, thread, "Hello")
    # Reading is untouched.
    assert Policy(member).can_view_thread(thread)
    joining.accept_documents(member)
    assert (member.rules_version, member.privacy_version) == (1, 0)
    assert Policy(member).can_reply(thread)
    posting.reply(member, thread, "Hello again")
    # A new version asks again.
    documents.publish(admin, "privacy", "We keep little.")
    assert not Policy(member).can_create_thread(board)
    # Accepting what was shown before the change records nothing.
    with pytest.raises(Refused, match="changed while you were reading") as refused:
        joining.accept_documents(member, seen=(1, 0))
    assert refused.value.status == 409 and member.privacy_version == 0
    joining.accept_documents(member, seen=(1, 1))
    assert Policy(member).can_create_thread(board)


def test_the_acceptance_check_costs_no_query(app, admin, member, count_queries):
    documents.publish(admin, "rules", "Version one.")
    settings.get("forum_name")  # the settings a page reads anyway
    db.session.refresh(member)  # a page has its member loaded already
    with count_queries() as queries:
        assert not settings.documents_accepted(member)
        assert not Policy(member).documents_decision()
    assert queries == []
