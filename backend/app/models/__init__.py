"""All models, imported here so `Base.metadata` is complete for Alembic.

Adding a table: write the model in its own module here, import it below, and
add a revision under backend/migrations/versions/ (see README "Migrations").
"""

from app.models.agent import AgentRun, GeneratedFile
from app.models.auth_attempt import AuthAttempt
from app.models.base import Base, new_id, utcnow
from app.models.chat import ChatSession, Message
from app.models.material import Material
from app.models.media import Podcast, Presentation
from app.models.notebook import Notebook
from app.models.study import (
    Flashcard,
    FlashcardDeck,
    FlashcardReview,
    Quiz,
    QuizAttempt,
    QuizQuestion,
)
from app.models.user import User

__all__ = [
    "AgentRun",
    "AuthAttempt",
    "Base",
    "ChatSession",
    "Flashcard",
    "FlashcardDeck",
    "FlashcardReview",
    "GeneratedFile",
    "Material",
    "Message",
    "Notebook",
    "Podcast",
    "Presentation",
    "Quiz",
    "QuizAttempt",
    "QuizQuestion",
    "User",
    "new_id",
    "utcnow",
]
