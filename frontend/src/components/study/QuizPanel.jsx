import StudyPlaceholder from './StudyPlaceholder.jsx'

/** A quiz on the notebook's materials. Props: {notebookId, materials}. */
export default function QuizPanel({ notebookId, materials }) {
  return <StudyPlaceholder icon="❓" title="Quiz" notebookId={notebookId} materials={materials} />
}
