"""Private conversations: starting, answering, leaving and adding people (``writing``),
the list and a conversation's page (``reading``), finding the people named
(``recipients``), and what moderators may read of a reported message (``reported``).

Messages are never in the search index: only the people in a conversation may read it, and
an index shared by every reader would have to be filtered per conversation on every search
for a feature its participants can replace by scrolling. A conversation's page is where its
messages are found.
"""
