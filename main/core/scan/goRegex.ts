// Gitleaks rules are Go (RE2) regular expressions; JavaScript reads most of them as they are.
// The differences that occur in real gitleaks configs are translated here; anything else that
// JavaScript refuses fails with the rule's id, so the config's author knows what to fix.

export class RuleSyntaxError extends Error {}

/** Compiles an RE2 pattern as a global JavaScript RegExp (plus `d` for group offsets). */
export function compileGoRegex(source: string, where: string): RegExp {
  let flags = 'gd';
  let pattern = source;
  // RE2 flag groups that apply to the rest of the pattern: (?i) (?s) (?m), alone or combined.
  pattern = pattern.replace(/\(\?([ims]+)\)/g, (_all, f: string) => {
    for (const c of f) if (!flags.includes(c)) flags += c;
    return '';
  });
  pattern = pattern
    .replace(/\(\?P</g, '(?<') // named groups
    .replace(/\\z/g, '$(?![\\s\\S])') // end of text
    .replace(/\\A/g, '^(?<![\\s\\S])'); // start of text
  try {
    return new RegExp(pattern, flags);
  } catch (error) {
    throw new RuleSyntaxError(`${where}: the regex is not one Keyfob can run (${(error as Error).message.replace(/^Invalid regular expression: /, '')})`);
  }
}
