// The study tools shown as tabs next to the chat. Each panel takes
// {notebookId, materials}.
import FlashcardsPanel from './FlashcardsPanel.jsx'
import PodcastPanel from './PodcastPanel.jsx'
import QuizPanel from './QuizPanel.jsx'
import SlidesPanel from './SlidesPanel.jsx'

export const STUDY_TOOLS = [
  { id: 'flashcards', label: 'Flashcards', Component: FlashcardsPanel },
  { id: 'quiz', label: 'Quiz', Component: QuizPanel },
  { id: 'podcast', label: 'Podcast', Component: PodcastPanel },
  { id: 'slides', label: 'Slides', Component: SlidesPanel },
]
