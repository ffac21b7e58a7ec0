import { generateKeyPairSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Secrets for local use only (never with NODE_ENV=production): the HS256 secret that local
 * client tokens (`npm run token`) are signed with, and the gateway's ES256 key pair for the
 * tokens it forwards to subgraphs. Made once per clone in `.secrets/local.json` (git-ignored,
 * readable by its owner only), so `npm start`, `npm run token` and every service agree.
 */
export interface LocalSecrets {
  clientSecret: string;
  gatewayPrivateKey: string;
  gatewayPublicKey: string;
}

/** A new client secret (HS256) and gateway key pair (ES256, PEM). */
export function generateSecrets(): LocalSecrets {
  const { privateKey, publicKey } = generateKeyPairSync('ec', {
    namedCurve: 'P-256',
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return { clientSecret: randomBytes(32).toString('base64url'), gatewayPrivateKey: privateKey, gatewayPublicKey: publicKey };
}

export function readOrCreateLocalSecrets(file: string): LocalSecrets {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as LocalSecrets;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read ${file}: ${(error as Error).message}`);
  }
  const secrets = generateSecrets();
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  // Services start at the same moment: write aside, then link into place; whoever links first wins.
  const draft = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(draft, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  try {
    fs.linkSync(draft, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return JSON.parse(fs.readFileSync(file, 'utf8')) as LocalSecrets;
  } finally {
    fs.rmSync(draft, { force: true });
  }
  return secrets;
}
