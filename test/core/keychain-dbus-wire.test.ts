// The D-Bus wire format of Keyfob's Secret Service client (keychain/secretService/wire.ts), against
// bytes worked out by hand from the spec: alignment and padding are where D-Bus clients break.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { busSockets } from '../../main/core/keychain/secretService/busAddress.ts';
import {
  decodeMessage,
  encodeMessage,
  messageLength,
  MessageType,
  parseSignature,
  WireReader,
  WireWriter,
} from '../../main/core/keychain/secretService/wire.ts';

const hex = (signature: string, values: unknown[]) => {
  const w = new WireWriter();
  w.write(signature, values);
  return w.bytes().toString('hex');
};
const read = (signature: string, bytes: string, littleEndian = true) =>
  new WireReader(Buffer.from(bytes.replace(/\s/g, ''), 'hex'), 0, littleEndian).read(signature);

describe('the D-Bus wire format', () => {
  it('aligns each basic type to its size, counted from the start', () => {
    expect(hex('ys', [7, 'ab'])).toBe('07000000' + '02000000' + '616200');
    expect(hex('yt', [1, 2n])).toBe('01' + '00'.repeat(7) + '0200000000000000');
    expect(hex('yb', [1, true])).toBe('01000000' + '01000000');
    expect(hex('yg', [1, 'a{sv}'])).toBe('01' + '05' + '617b73767d' + '00'); // a signature is byte-aligned
    expect(hex('yn', [1, -2])).toBe('0100' + 'feff');
  });

  it("does not count the padding after an array's length, and pads even an empty array to its element", () => {
    // length 2, padding to 8 for the struct, then the two bytes
    expect(hex('a(yy)', [[[1, 2]]])).toBe('02000000' + '00000000' + '0102');
    expect(hex('a(yy)', [[]])).toBe('00000000' + '00000000');
    expect(hex('ay', [Buffer.from('hi')])).toBe('02000000' + '6869');
    expect(hex('yao', [9, ['/a', '/b']])).toBe('09000000' + '0f000000' + '02000000' + '2f6100' + '00' + '02000000' + '2f6200');
  });

  it('writes a{sv} as 8-aligned dict entries, each variant with its own signature and then its aligned value', () => {
    const bytes = hex('ya{sv}', [1, new Map([['a', { signature: 'u', value: 5 }]])]);
    // y, pad, length 16, [8: "a"][14: signature "u"][pad to 20][20: 5]
    expect(bytes).toBe('01000000' + '10000000' + '01000000' + '6100' + '017500' + '000000' + '05000000');
    expect(read('ya{sv}', bytes)).toEqual([1, new Map([['a', { signature: 'u', value: 5 }]])]);
  });

  it('takes a plain object for a{ss}', () => {
    expect(hex('a{ss}', [{ k: 'v' }])).toBe(hex('a{ss}', [new Map([['k', 'v']])]));
  });

  it('reads back the Secret Service shapes: (oayays), a{o(oayays)}, a{sv}, ao', () => {
    const secret = ['/org/freedesktop/secrets/session/s1', Buffer.from([1, 2, 3]), Buffer.from('sécret\n'), 'text/plain'];
    const values = [
      new Map([['/org/freedesktop/secrets/collection/login/1', secret]]),
      secret,
      new Map([
        ['org.freedesktop.Secret.Item.Label', { signature: 's', value: 'keyring:k@keyfob' }],
        ['org.freedesktop.Secret.Item.Attributes', { signature: 'a{ss}', value: new Map([['service', 'keyfob']]) }],
      ]),
      ['/a', '/b/c'],
      true,
    ];
    const w = new WireWriter();
    w.write('a{o(oayays)}(oayays)a{sv}aob', values);
    expect(new WireReader(w.bytes(), 0, true).read('a{o(oayays)}(oayays)a{sv}aob')).toEqual(values);
  });

  it('round-trips any values of a mixed signature, whatever the offset each starts at', () => {
    const signature = 'ya{sv}(oayays)aob';
    const value = fc.tuple(
      fc.integer({ min: 0, max: 255 }),
      fc.dictionary(
        fc.string(),
        fc.oneof(
          fc.string().map((value) => ({ signature: 's', value })),
          fc.integer({ min: 0, max: 0xffffffff }).map((value) => ({ signature: 'u', value })),
        ),
      ),
      fc.tuple(fc.constant('/s'), fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 40 }), fc.string()),
      fc.array(fc.constantFrom('/', '/a', '/org/x')),
      fc.boolean(),
    );
    fc.assert(
      fc.property(value, ([y, dict, [path, params, secret, type], paths, flag]) => {
        const values = [y, new Map(Object.entries(dict)), [path, Buffer.from(params), Buffer.from(secret), type], paths, flag];
        const w = new WireWriter();
        w.write(signature, values);
        expect(new WireReader(w.bytes(), 0, true).read(signature)).toEqual(values);
      }),
    );
  });

  it('reads big-endian messages too', () => {
    expect(read('yu', '01 000000 00000102', false)).toEqual([1, 258]);
  });

  it('refuses signatures it cannot take', () => {
    expect(() => parseSignature('a')).toThrow(/ends early/);
    expect(() => parseSignature('{s}')).toThrow(/bad struct/);
    expect(() => parseSignature('h')).toThrow(/not supported/);
  });

  it('encodes a whole method call that decodes to itself, with the header padded to 8 before the body', () => {
    const call = {
      type: MessageType.methodCall,
      flags: 0,
      serial: 7,
      destination: 'org.freedesktop.secrets',
      path: '/org/freedesktop/secrets',
      interface: 'org.freedesktop.Secret.Service',
      member: 'SearchItems',
      signature: 'a{ss}',
      body: [new Map([['service', 'keyfob']])],
    };
    const bytes = encodeMessage(call);
    expect(bytes.subarray(0, 4).toString('hex')).toBe('6c010001'); // little-endian, method call, no flags, version 1
    expect(messageLength(bytes)).toBe(bytes.length);
    expect(messageLength(bytes.subarray(0, 15))).toBeUndefined();
    const bodyLength = bytes.readUInt32LE(4);
    expect((bytes.length - bodyLength) % 8).toBe(0);
    expect(decodeMessage(bytes)).toEqual(call);
  });
});

describe('the session bus address', () => {
  it('takes unix:path= and unix:abstract=, unescapes values, and skips what it cannot use', () => {
    expect(busSockets('unix:path=/run/user/1000/bus')).toEqual([{ path: '/run/user/1000/bus', shown: '/run/user/1000/bus' }]);
    expect(busSockets('unix:abstract=/tmp/dbus-XYZ,guid=abc')).toEqual([{ path: '\0/tmp/dbus-XYZ', shown: '@/tmp/dbus-XYZ' }]);
    expect(busSockets('tcp:host=localhost,port=1;unix:path=/a%20b')).toEqual([{ path: '/a b', shown: '/a b' }]);
    expect(busSockets('tcp:host=localhost,port=1')).toEqual([]);
  });
});
