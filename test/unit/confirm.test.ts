// The terminal confirmation for targets whose policy asks for one: a person answers on a
// terminal; a script (no terminal) is never asked and gets the engine's refusal instead.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { confirmOnTerminal, type Terminal } from '../../main/cli/confirm.ts';

const target = { id: 'orders-rw', impact: 'high' as const, grants: 'INSERT, UPDATE on orders', scope: 'orders (production)' };

function terminal(tty: boolean): Terminal & { type: (text: string) => void; said: () => string } {
  const input = Object.assign(new PassThrough(), { isTTY: tty });
  const output = Object.assign(new PassThrough(), { isTTY: tty });
  let said = '';
  output.on('data', (chunk: Buffer) => (said += chunk.toString()));
  return { input, output, type: (text) => void input.write(text), said: () => said };
}

describe('confirmOnTerminal', () => {
  it.each([
    ['y', true],
    ['yes', true],
    [' YES ', true],
    ['n', false],
    ['', false],
    ['sure', false],
  ])('answer %j means %s', async (answer, expected) => {
    const t = terminal(true);
    const asked = confirmOnTerminal(target, t);
    t.type(`${answer}\n`);
    expect(await asked).toBe(expected);
    expect(t.said()).toBe('keyfob: orders-rw is high impact: it grants INSERT, UPDATE on orders on orders (production). Go ahead? [y/N] ');
  });

  it('asks no one when there is no terminal (a script must pass --yes)', async () => {
    const t = terminal(false);
    expect(await confirmOnTerminal(target, t)).toBe(false);
    expect(t.said()).toBe('');
  });
});
