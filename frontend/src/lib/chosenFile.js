// What "Use this file" means for a turn's request. A data file becomes the
// turn's dataset (`material_id`; the other files stay mounted, e.g. for a
// join). A document narrows the turn to itself (`material_ids`: retrieval and
// the workspace hold only that file), since there is no dataset to pick.

/** `{materialIds, materialId}` for useAgentStream's send(). */
export function chosenFileRequest(chosen, materialIds) {
  if (!chosen) return { materialIds, materialId: undefined }
  if (chosen.type === 'data') return { materialIds, materialId: chosen.id }
  return { materialIds: [chosen.id], materialId: chosen.id }
}
