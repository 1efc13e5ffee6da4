// Webhook signing secrets: `whsec_` + 256 random bits, shown once. Signing needs the secret itself,
// so it cannot be hashed like an API token: it is stored AES-256-GCM encrypted under a key from
// WEBHOOK_SECRET_KEY, or one generated once into DATA_DIR/webhook-key. A database dump alone does
// not reveal secrets. Each ciphertext names its key (a short fingerprint), so a node with another
// key says so instead of signing with garbage.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config';
import { AppError } from '../errors';
import { processSlot } from '../process-state';

export const SECRET_PREFIX = 'whsec_';

export function generateWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64url');
}

/** What is shown of a secret after creation: its prefix and last four characters. */
export function secretHint(secret: string): string {
  return `${SECRET_PREFIX}…${secret.slice(-4)}`;
}

export interface SecretKey {
  key: Buffer;
  /** First 8 hex characters of SHA-256(key): names the key in each ciphertext. */
  id: string;
}

function keyFrom(material: string): SecretKey {
  const key = createHash('sha256').update(`sluice webhook secrets\0${material}`).digest();
  return { key, id: createHash('sha256').update(key).digest('hex').slice(0, 8) };
}

function readOrCreateKeyFile(dataDir: string): string {
  const file = path.resolve(dataDir, 'webhook-key');
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    const material = randomBytes(32).toString('base64url');
    mkdirSync(path.dirname(file), { recursive: true });
    try {
      writeFileSync(file, material + '\n', { mode: 0o600, flag: 'wx' });
      return material;
    } catch {
      return readFileSync(file, 'utf8').trim(); // another process made it first
    }
  }
}

/** This process's key (WEBHOOK_SECRET_KEY, else DATA_DIR/webhook-key). */
export function webhookSecretKey(config: Pick<Config, 'WEBHOOK_SECRET_KEY' | 'DATA_DIR'>): SecretKey {
  const material = config.WEBHOOK_SECRET_KEY;
  if (material) return processSlot(`webhook-secret-key:env:${createHash('sha256').update(material).digest('hex')}`, () => keyFrom(material));
  return processSlot(`webhook-secret-key:dir:${path.resolve(config.DATA_DIR)}`, () => keyFrom(readOrCreateKeyFile(config.DATA_DIR)));
}

export function encryptSecret(secret: string, key: SecretKey): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key.key, iv);
  const data = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return ['v1', key.id, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join('.');
}

export function decryptSecret(ciphertext: string, key: SecretKey): string {
  const [version, id, iv, tag, data] = ciphertext.split('.');
  if (version !== 'v1' || !iv || !tag || !data) throw new AppError('secret_unreadable', 'the stored webhook secret has an unknown format', 500);
  if (id !== key.id) {
    throw new AppError('secret_key_mismatch', `this webhook's secret was encrypted with another key (${id}, this node has ${key.id}): give every node the same WEBHOOK_SECRET_KEY`, 500);
  }
  const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
}
