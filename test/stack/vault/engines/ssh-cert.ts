// Builds and signs an OpenSSH certificate (PROTOCOL.certkeys), the way x/crypto/ssh's
// Certificate.SignCert lays it out: a real certificate that ssh-keygen -L and sshd accept.
import { randomBytes } from 'node:crypto';
import type { CaKey } from './ssh-ca.ts';
import { authorizedKeyLine, SshReader, SshWriter } from './ssh-wire.ts';
import type { SshPublicKey } from './ssh-wire.ts';

export const USER_CERT = 1;
export const HOST_CERT = 2;

export interface CertificateFields {
  key: SshPublicKey;
  serial: bigint;
  certType: typeof USER_CERT | typeof HOST_CERT;
  keyId: string;
  principals: readonly string[];
  validAfter: number;
  validBefore: number;
  criticalOptions: Record<string, string>;
  extensions: Record<string, string>;
}

/** "ssh-ed25519" → "ssh-ed25519-cert-v01@openssh.com"; "sk-ssh-ed25519@openssh.com" → "sk-ssh-ed25519-cert-v01@openssh.com". */
export function certificateType(keyType: string): string {
  return `${keyType.replace(/@openssh\.com$/, '')}-cert-v01@openssh.com`;
}

/** Options and extensions: sorted by name; a non-empty value is itself wrapped as a string. */
function tuples(map: Record<string, string>): Buffer {
  const writer = new SshWriter();
  for (const name of Object.keys(map).sort()) {
    writer.string(name);
    const value = map[name]!;
    writer.string(value === '' ? Buffer.alloc(0) : new SshWriter().string(value).toBuffer());
  }
  return writer.toBuffer();
}

/** Returns the certificate as an authorized_keys line ending in "\n" (ssh.MarshalAuthorizedKey). */
export function signCertificate(fields: CertificateFields, ca: CaKey, algorithm: string): string {
  const type = certificateType(fields.key.type);
  const keyReader = new SshReader(fields.key.blob);
  keyReader.string(); // the key's own algorithm name; the cert repeats only its fields
  const principals = new SshWriter();
  for (const principal of fields.principals) principals.string(principal);

  const toSign = new SshWriter()
    .string(type)
    .string(randomBytes(32))
    .raw(keyReader.rest())
    .uint64(fields.serial)
    .uint32(fields.certType)
    .string(fields.keyId)
    .string(principals.toBuffer())
    .uint64(BigInt(fields.validAfter))
    .uint64(BigInt(fields.validBefore))
    .string(tuples(fields.criticalOptions))
    .string(tuples(fields.extensions))
    .string('')
    .string(ca.publicBlob)
    .toBuffer();
  const certificate = new SshWriter().raw(toSign).string(ca.sign(toSign, algorithm)).toBuffer();
  return authorizedKeyLine(type, certificate);
}
