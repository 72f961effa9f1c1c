// Checks that the certificate Vault returned is the one we asked for before any ssh uses it.
import sshpk from 'sshpk';
import { KeyfobError } from '../base/keyfobError.ts';

export interface CheckedCertificate {
  readonly serial: string;
  readonly keyId: string;
  readonly principals: readonly string[];
  readonly validAfter: Date;
  readonly validBefore: Date;
  /** The certificate's SSH wire encoding, for the agent. */
  readonly blob: Buffer;
  /** The line Vault returned, "ssh-ed25519-cert-v01@openssh.com AAAA…". */
  readonly line: string;
}

/** Vault's certificate is not the one Keyfob asked for: nothing is handed to the command. */
export class CertificateMismatch extends KeyfobError {
  constructor(message: string) {
    super('vault-error', message);
  }
}

export function checkCertificate(
  signedKey: string,
  expected: { publicKey: string; principals: readonly string[]; maxTtlSeconds: number; now: Date },
): CheckedCertificate {
  // Only "type base64" matters; a trailing comment (which may hold spaces) is not part of it.
  const [type, b64] = signedKey.trim().split(/\s+/);
  if (!type || !b64) throw new CertificateMismatch('Vault returned an empty certificate');
  let cert: sshpk.Certificate;
  try {
    cert = sshpk.parseCertificate(`${type} ${b64}`, 'openssh');
  } catch (error) {
    throw new CertificateMismatch(`Vault returned something that is not an OpenSSH certificate (${(error as Error).message})`);
  }
  const ours = sshpk.parseKey(expected.publicKey, 'ssh');
  if (!cert.subjectKey.fingerprint('sha256').matches(ours)) {
    throw new CertificateMismatch('Vault signed a different public key than the one Keyfob sent');
  }
  const subjects = cert.subjects as unknown as { type: string; uid?: string }[];
  if (!subjects.every((s) => s.type === 'user')) {
    throw new CertificateMismatch('Vault returned a host certificate where a user certificate was asked for');
  }
  const principals = subjects.map((s) => s.uid ?? '');
  const missing = expected.principals.filter((p) => !principals.includes(p));
  if (missing.length > 0) throw new CertificateMismatch(`the certificate does not name ${missing.join(', ')} as principals`);
  const now = expected.now.getTime();
  if (cert.validFrom.getTime() > now + 60_000) throw new CertificateMismatch('the certificate is not valid yet');
  if (cert.validUntil.getTime() <= now) throw new CertificateMismatch('the certificate has already expired');
  if (cert.validUntil.getTime() > now + expected.maxTtlSeconds * 1000 + 60_000) {
    throw new CertificateMismatch('the certificate is valid for longer than the TTL Keyfob asked for');
  }
  const serial = cert.serial.toString('hex').replace(/^0+(?=.)/, '');
  return {
    serial,
    keyId: (cert.signatures.openssh as { keyId?: string } | undefined)?.keyId ?? '',
    principals,
    validAfter: cert.validFrom,
    validBefore: cert.validUntil,
    blob: Buffer.from(b64, 'base64'),
    line: `${type} ${b64}`,
  };
}
