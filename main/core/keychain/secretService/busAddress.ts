// Where the session bus listens, as libdbus (and so @napi-rs/keyring before) finds it: the
// process's DBUS_SESSION_BUS_ADDRESS, else the systemd user bus at $XDG_RUNTIME_DIR/bus when
// there is one. An address is a ';'-separated list of
// "transport:key=value,..." entries, values %-escaped (spec, "Server Addresses"). Only the Unix
// socket transports a desktop session uses are understood: `unix:path=` and `unix:abstract=`
// (Linux's abstract namespace, which Node reaches with a leading NUL). Others are skipped.

import { statSync } from 'node:fs';

/** The session bus address, or undefined when the process has none. */
export function sessionBusAddress(env: NodeJS.ProcessEnv): string | undefined {
  if (env.DBUS_SESSION_BUS_ADDRESS) return env.DBUS_SESSION_BUS_ADDRESS;
  const runtime = env.XDG_RUNTIME_DIR;
  if (!runtime) return undefined;
  const path = `${runtime}/bus`;
  // libdbus takes it only when it is a socket of ours.
  const stat = statSync(path, { throwIfNoEntry: false });
  return stat?.isSocket() && stat.uid === process.getuid?.() ? `unix:path=${path}` : undefined;
}

export interface BusSocket {
  /** What `net.connect({ path })` takes. */
  path: string;
  /** For messages: the path, or "@name" for an abstract socket. */
  shown: string;
}

export function busSockets(address: string): BusSocket[] {
  const sockets: BusSocket[] = [];
  for (const entry of address.split(';')) {
    const colon = entry.indexOf(':');
    if (colon < 0 || entry.slice(0, colon) !== 'unix') continue;
    const keys = new Map<string, string>();
    for (const pair of entry.slice(colon + 1).split(',')) {
      const eq = pair.indexOf('=');
      if (eq > 0) keys.set(pair.slice(0, eq), unescape(pair.slice(eq + 1)));
    }
    const path = keys.get('path');
    const abstract = keys.get('abstract');
    if (path) sockets.push({ path, shown: path });
    else if (abstract) sockets.push({ path: `\0${abstract}`, shown: `@${abstract}` });
  }
  return sockets;
}

function unescape(value: string): string {
  return Buffer.from(
    value.replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
    'latin1',
  ).toString('utf8');
}
