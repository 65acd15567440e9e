"""Search that understands Norwegian, for the FAQ and for a bank's earlier questions.

One function, `search(queryset, text, fields=...)`, used by the FAQ page, the suggestions
shown while a bank types a question, the FAQ box next to Bits' reply, and the case registry.
It is always one query, whatever the number of rows.

What the person typed is first made into a `Query`: words (letters and digits), lower-cased,
without Norwegian stop words ("og", "på", "hvordan" …), at most `MAX_WORDS`; a query of only
stop words or symbols is empty and finds nothing (the page says so). Then:

- On PostgreSQL, a row matches when any of these does, and the best come first:
  - full-text search with the `norwegian` configuration (stems: "studielånet", "studielån" and
    "studielånets" are one word; "renter" finds "rente") together with `simple` (the words as
    written: "Consent-ID", "PSU_ID", "429"), each query word as a prefix;
  - trigram word similarity (pg_trgm) on the accent-folded text, for typos;
  - the folded stem of a word inside a longer one, for compound words ("lån" finds
    "studielånet", "samtykke" finds "samtykketoken").
  The score adds the full-text rank (title weighted above body), the trigram similarity and
  the number of stems found in the title and the body.
- On SQLite (the embedded default) the stems alone, accent-folded (å→a, so "studielan" finds
  "studielån"), counted as above.

Highlighting (`highlight`, `snippet`) is done here, not by the database, and is safe by
construction: the text is cut into words and the gaps between them, every piece is escaped,
and only whole words that match are wrapped in <mark>.
"""

import re
import unicodedata
from dataclasses import dataclass

from django.db import connections
from django.db.models import Case, F, FloatField, Q, TextField, Value, When
from django.db.models.functions import Greatest, Lower, Replace
from django.utils.html import escape
from django.utils.safestring import mark_safe

MAX_QUERY_CHARS = 300
MAX_WORDS = 8
MIN_STEM = 3
# Trigram word similarity above which an accent-folded query counts as a (misspelt) match.
TRIGRAM_THRESHOLD = 0.5

WORD_RE = re.compile(r"[^\W_]+")

# Norwegian (bokmål) stop words, after PostgreSQL's and Snowball's list, plus the question
# words people start with. They carry no meaning in a search and are dropped first.
STOP_WORDS = frozenset("""
og i jeg det at en et den til er som på de med han av ikke ikkje der så var meg seg men ett
har om vi min mitt ha hadde hun nå over da ved fra du ut sin dem oss opp man kan hans hvor
eller hva skal selv sjøl her alle vil bli ble blei blitt kunne inn når være kom noen noe ville
dere deres kun ja etter ned skulle denne for deg si sine sitt mot å meget hvorfor dette disse
uten hvordan ingen din ditt blir samme hvilken hvilke sånn inni mellom vår hver hvem vors hvis
både bare enn fordi før mange også slik vært båe begge siden dykk dykkar dei deira deires
deim di då eg ein eit eitt elles honom hjå ho hoe henne hennar hennes hoss hossen ingi inkje
korleis korso kva kvar kvarhelst kven kvi kvifor me medan mi mine mykje no nokon noka nokor
noko nokre sia sidan so somt somme um upp vere vore verte vort varte vart hei takk får gå
gjør gjøre må mer mest ønsker lurer spørsmål angående
""".split())

# Common Norwegian inflection endings, longest first: enough to make a stem for "contains".
SUFFIXES = ("hetene", "heten", "ende", "ene", "ane", "ets", "ens", "het", "ers", "er", "et",
            "en", "ar", "as", "a", "e", "s")

FOLD = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "ä": "a", "ö": "o", "ü": "u", "é": "e",
                      "è": "e", "ê": "e", "á": "a", "à": "a", "ó": "o", "ò": "o"})
# The same folding in SQL: both cases, as SQLite's lower() only lowers ASCII.
_SQL_FOLD = (("Æ", "ae"), ("æ", "ae"), ("Ø", "o"), ("ø", "o"), ("Å", "a"), ("å", "a"),
             ("Ä", "a"), ("ä", "a"), ("Ö", "o"), ("ö", "o"), ("Ü", "u"), ("ü", "u"),
             ("É", "e"), ("é", "e"))


def fold(text: str) -> str:
    """Lower-cased, with æøå and accents folded to ASCII letters."""
    text = text.lower().translate(FOLD)
    return "".join(c for c in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(c))


def stem(word: str) -> str:
    """A crude Norwegian stem of a folded word, for substring matching: "renter" → "rent",
    "studielanet" → "studielan"; never shorter than MIN_STEM letters."""
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM + 1:
            return word[: -len(suffix)]
    return word


@dataclass(frozen=True)
class Query:
    """What a search looks for: the words (for full-text search) and their folded stems (for
    "contains"); a word too short to stem ("id") is looked for as it is."""

    text: str
    words: tuple[str, ...]
    stems: tuple[str, ...]

    @property
    def is_empty(self) -> bool:
        return not self.words

    @property
    def terms(self) -> tuple[str, ...]:
        """The stems looked for inside words: short ones ("id") only when there is nothing
        else, as they are inside too many words."""
        return tuple(s for s in self.stems if len(s) >= MIN_STEM) or self.stems

    @property
    def folded(self) -> str:
        return " ".join(fold(w) for w in self.words)


def query_parse(text) -> Query:
    """What `text` searches for; empty for nothing but stop words, symbols or blanks."""
    text = (text or "")[:MAX_QUERY_CHARS]
    words = []
    for word in WORD_RE.findall(text.lower()):
        if word in STOP_WORDS or len(word) < 2 or word in words:
            continue
        words.append(word)
    words = words[:MAX_WORDS]
    stems = []
    for word in words:
        s = stem(fold(word))
        if s not in stems:
            stems.append(s)
    return Query(text=text.strip(), words=tuple(words), stems=tuple(stems))


def _folded(field):
    expression = F(field)
    for source, target in _SQL_FOLD:
        expression = Replace(expression, Value(source), Value(target),
                             output_field=TextField())
    return Lower(expression, output_field=TextField())


def _stem_score(query, fields):
    """Per stem: 2 if found in the title, 1 if in the body (one CASE per stem and field)."""
    score = Value(0.0)
    for name, weight in fields:
        points = 2.0 if weight == "A" else 1.0
        for s in query.terms:
            score = score + Case(When(**{f"_fold_{name}__contains": s}, then=Value(points)),
                                 default=Value(0.0), output_field=FloatField())
    return score


def _stem_match(query, fields):
    condition = Q()
    for name, _weight in fields:
        for s in query.terms:
            condition |= Q(**{f"_fold_{name}__contains": s})
    return condition


def search(queryset, text, *, fields, limit=5):
    """The rows of `queryset` that match `text`, best first, at most `limit`, each with a
    `search_score`. `fields` is a sequence of (field name, weight "A" or "B"): A is the title.
    One query; none at all for an empty query (which finds nothing)."""
    query = text if isinstance(text, Query) else query_parse(text)
    if query.is_empty:
        return []
    qs = queryset.annotate(**{f"_fold_{name}": _folded(name) for name, _weight in fields})
    if connections[qs.db].vendor == "postgresql":
        qs = _postgresql(qs, query, fields)
    else:
        qs = (qs.annotate(search_score=_stem_score(query, fields))
              .filter(_stem_match(query, fields)))
    return list(qs.order_by("-search_score", "-pk")[:limit])


def _postgresql(qs, query, fields):
    from django.contrib.postgres.search import (
        SearchQuery,
        SearchRank,
        SearchVector,
        TrigramWordSimilarity,
    )

    vector = None
    for config in ("norwegian", "simple"):
        for name, weight in fields:
            part = SearchVector(name, config=config, weight=weight)
            vector = part if vector is None else vector + part
    # Words are letters and digits only (WORD_RE), so this raw tsquery cannot be malformed.
    raw = " | ".join(f"{word}:*" for word in query.words)
    tsquery = (SearchQuery(raw, config="norwegian", search_type="raw")
               | SearchQuery(raw, config="simple", search_type="raw"))
    folded = query.folded
    similarities = [TrigramWordSimilarity(Value(folded), f"_fold_{name}")
                    for name, _weight in fields]
    similarity = Greatest(*similarities) if len(similarities) > 1 else similarities[0]
    qs = qs.annotate(
        _vector=vector, _rank=SearchRank(vector, tsquery), _similarity=similarity,
        _stems=_stem_score(query, fields))
    qs = qs.annotate(search_score=F("_rank") * 10 + F("_similarity") * 2 + F("_stems"))
    return qs.filter(Q(_vector=tsquery) | Q(_similarity__gte=TRIGRAM_THRESHOLD)
                     | _stem_match(query, fields))


# --- highlighting -------------------------------------------------------------------------

def _matches(word: str, query: Query) -> bool:
    folded = fold(word)
    if any(s in folded for s in query.terms):
        return True
    return any(folded == fold(w) for w in query.words)


def highlight(text, query):
    """`text`, escaped, with the words that match `query` wrapped in <mark> (safe HTML)."""
    query = query if isinstance(query, Query) else query_parse(query)
    text = text or ""
    if query.is_empty:
        return escape(text)
    parts, last = [], 0
    for match in WORD_RE.finditer(text):
        if _matches(match.group(), query):
            parts.append(escape(text[last:match.start()]))
            parts.append(f"<mark>{escape(match.group())}</mark>")
            last = match.end()
    parts.append(escape(text[last:]))
    return mark_safe("".join(parts))  # every piece above is escaped


def snippet(text, query, *, length=240):
    """A part of `text` of about `length` characters around its first match, highlighted."""
    query = query if isinstance(query, Query) else query_parse(query)
    text = " ".join((text or "").split())
    if len(text) <= length:
        return highlight(text, query)
    start = 0
    if not query.is_empty:
        for match in WORD_RE.finditer(text):
            if _matches(match.group(), query):
                start = max(0, match.start() - length // 4)
                break
    end = min(len(text), start + length)
    start = max(0, min(start, end - length))
    if start > 0:
        start = text.find(" ", start) + 1 or start
    piece = text[start:end]
    if end < len(text):
        piece = piece.rsplit(" ", 1)[0]
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(text) else ""
    return mark_safe(escape(prefix) + highlight(piece, query) + escape(suffix))
