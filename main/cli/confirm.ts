// The confirmation a target's policy may ask for (docs/policy.md), as a question on the terminal.
// Only when a person is there to answer (stdin and stderr are terminals): scripts pass --yes, and
// without it the engine refuses with the line that says so. The question goes to stderr, so a
// command's stdout stays clean.
import { createInterface } from 'node:readline/promises';
import type { TargetView } from '../../common/views.ts';

export interface Terminal {
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  output: NodeJS.WritableStream & { isTTY?: boolean };
}

/** Asks "go ahead?" for a target that needs a confirmation; false when no one can answer or the answer is not yes. */
export async function confirmOnTerminal(target: Pick<TargetView, 'id' | 'impact' | 'grants' | 'scope'>, terminal: Terminal): Promise<boolean> {
  if (!terminal.input.isTTY || !terminal.output.isTTY) return false;
  // terminal: false keeps the terminal in its cooked mode (it echoes and edits the line itself)
  // and writes nothing but the question.
  const prompt = createInterface({ input: terminal.input, output: terminal.output, terminal: false });
  try {
    const answer = await prompt.question(`keyfob: ${target.id} is ${target.impact} impact: it grants ${target.grants} on ${target.scope}. Go ahead? [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    prompt.close();
  }
}
