import StudyPlaceholder from './StudyPlaceholder.jsx'

/** Flashcards made from the notebook's materials. Props: {notebookId, materials}. */
export default function FlashcardsPanel({ notebookId, materials }) {
  return <StudyPlaceholder icon="🃏" title="Flashcards" notebookId={notebookId} materials={materials} />
}
