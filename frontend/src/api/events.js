// Mirror of backend/app/services/agent/events.py: every SSE event name the
// server streams. Order of a turn:
//   run → (step → [code_written → execute … stdout] → step_done
//   → [repair_attempt → code_written → execute … → repair_success])*
//   → file_ready* → token* → meta → done
// A stream that pauses for the browser ends right after `execute`; the result
// POST answers with the continuation stream.

export const SSE = Object.freeze({
  RUN: 'run', //               {run_id, session_id}
  STEP: 'step', //             {label, tool, step_number, total_steps}
  STEP_DONE: 'step_done', //   {tool, label, status, step_number, time_taken, code, stdout, stderr}
  CODE_WRITTEN: 'code_written', // {tool, step_number, code}
  EXECUTE: 'execute', //       ExecuteRequest {run_id, exec_id, code, timeout_s, output_dir, mounts[]}
  STDOUT: 'stdout', //         {step_number, text}
  REPAIR_ATTEMPT: 'repair_attempt', // {attempt, max_attempts, error_summary, fixed_by, diff[{op, line}]}
  REPAIR_SUCCESS: 'repair_success', // {attempt}
  FILE_READY: 'file_ready', // {filename, download_url, size, type, file_id?}
  TOKEN: 'token', //           {text}
  META: 'meta', //             {run_id?, intent, tools_used[], total_time, citations[]}
  DONE: 'done', //             {run_id?, message_id?, status: completed|failed}
  ERROR: 'error', //           {message, code}
})

export const SSE_EVENT_NAMES = Object.freeze(Object.values(SSE))
