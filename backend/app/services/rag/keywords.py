"""Keyword side of retrieval: tokens, a light stemmer, BM25 and term coverage.

Dense vectors find paraphrases; exact terms (names, symbols, numbers, jargon)
are what small embedding models miss. Retrieval blends both.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

TOKEN = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")

STOPWORDS = frozenset(
    ["a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "could", "did", "do", "does", "doing", "down", "during", "each", "few", "for", "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself", "just", "me", "more", "most", "my", "myself", "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or", "other", "our", "ours", "out", "over", "own", "same", "she", "should", "so", "some", "such", "than", "that", "the", "their", "theirs", "them", "then", "there", "these", "they", "this", "those", "through", "to", "too", "under", "until", "up", "very", "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your", "yours", "explain", "describe", "tell", "give", "list", "name", "according", "text", "document", "notes", "material", "materials", "does", "did", "say", "says", "said", "many", "much", "use", "used", "using"]
)


def stem(word: str) -> str:
    """A deliberately small suffix stripper: plurals and common verb endings."""
    if len(word) <= 3 or word.isdigit():
        return word
    for suffix, keep in (("ies", "y"), ("sses", "ss"), ("ing", ""), ("edly", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                return word
            return word[: -len(suffix)] + keep
    return word


def terms(text: str) -> list[str]:
    """Stemmed content terms of `text`, in order, stopwords dropped."""
    return [stem(t) for t in TOKEN.findall(text.lower()) if t not in STOPWORDS]


def bm25_scores(query: str, documents: Sequence[str], k1: float = 1.4, b: float = 0.75) -> list[float]:
    """Okapi BM25 of `query` against each document (scores are relative to this set)."""
    q_terms = set(terms(query))
    if not documents or not q_terms:
        return [0.0] * len(documents)
    tokenised = [terms(d) for d in documents]
    n = len(tokenised)
    avg_len = sum(len(t) for t in tokenised) / n or 1.0
    df = Counter(term for toks in tokenised for term in set(toks) if term in q_terms)
    idf = {t: math.log(1 + (n - df[t] + 0.5) / (df[t] + 0.5)) for t in q_terms}
    scores = []
    for toks in tokenised:
        tf = Counter(t for t in toks if t in q_terms)
        norm = k1 * (1 - b + b * len(toks) / avg_len)
        scores.append(sum(idf[t] * tf[t] * (k1 + 1) / (tf[t] + norm) for t in tf))
    return scores


def coverage(query: str, document: str) -> float:
    """Share of the query's content terms that occur in the document (0..1)."""
    q_terms = set(terms(query))
    if not q_terms:
        return 0.0
    return len(q_terms & set(terms(document))) / len(q_terms)
