// The tray's icons, drawn at build time (no binary files in the repo): a key-fob ring per state
// (docs/tray.md, "Icon, tooltip, title"), as `tray-<state>.png` in colour and, for macOS's menu
// bar, `tray-<state>Template.png` (black with alpha, tinted by the system) with an @2x size.
//   node scripts/trayIcons.ts OUTDIR        (scripts/build.ts writes them to dist/icons/)
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';

export const ICON_STATES = ['signed-out', 'signed-in', 'sessions', 'expiring', 'error'] as const;
type State = (typeof ICON_STATES)[number];
type Rgb = [number, number, number];

const INK: Rgb = [40, 40, 40];
const BADGE: Record<State, Rgb | null> = { 'signed-out': null, 'signed-in': null, sessions: [46, 160, 67], expiring: [230, 150, 0], error: [210, 40, 40] };

/** One RGBA image: a ring (hollow when signed out), and a badge dot for the states that have one. */
function draw(state: State, size: number, template: boolean): Buffer {
  const pixels = Buffer.alloc(size * size * 4);
  const c = size / 2;
  const outer = size * 0.42;
  const inner = state === 'signed-out' ? size * 0.3 : size * 0.16;
  const badge = BADGE[state];
  const bx = size * 0.78;
  const by = size * 0.78;
  const br = size * 0.2;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const px = x + 0.5;
      const py = y + 0.5;
      const d = Math.hypot(px - c, py - c);
      let rgb: Rgb | null = d <= outer && d >= inner ? INK : null;
      if (badge && Math.hypot(px - bx, py - by) <= br) rgb = template ? INK : badge;
      else if (badge && Math.hypot(px - bx, py - by) <= br + size * 0.08) rgb = null; // a gap around the badge
      if (!rgb) continue;
      const at = (y * size + x) * 4;
      const [r, g, b] = template ? [0, 0, 0] : rgb;
      pixels.set([r, g, b, 255], at);
    }
  }
  return png(size, pixels);
}

function png(size: number, rgba: Buffer): Buffer {
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) rgba.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4); // filter 0 per row
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, no interlace
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export function writeTrayIcons(dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  const put = (name: string, data: Buffer) => {
    writeFileSync(join(dir, name), data);
    written.push(name);
  };
  for (const state of ICON_STATES) {
    put(`tray-${state}.png`, draw(state, 32, false));
    put(`tray-${state}Template.png`, draw(state, 16, true));
    put(`tray-${state}Template@2x.png`, draw(state, 32, true));
  }
  return written;
}

if (import.meta.main) {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: node scripts/trayIcons.ts OUTDIR');
  console.log(`wrote ${writeTrayIcons(dir).length} icons to ${dir}`);
}
