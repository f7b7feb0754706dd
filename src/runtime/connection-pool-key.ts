// Pool keys, normalised once: the canonical gateway URL plus a fingerprint of the credential. The raw token
// never appears in a key (keys show up in systemIds, status, logs and the inspector); two spellings of one
// URL give one key, so one socket (undici#4424: a key written two ways kept pools alive forever).
import { createHmac, randomBytes } from 'node:crypto';
import { ConfigError } from '../errors.js';

export interface CredentialFingerprinter {
  /** 16 hex digits of HMAC-SHA-256 under a per-pool random secret; `anon` without a credential. */
  (token: string | undefined): string;
}

/**
 * Fingerprints by HMAC under a secret made for this pool and never kept elsewhere: a fingerprint seen in a
 * log cannot be checked against a guessed token offline, and equal tokens still share a connection.
 */
export function createCredentialFingerprinter(secret: Buffer = randomBytes(32)): CredentialFingerprinter {
  const cache = new Map<string, string>();
  return (token) => {
    if (token === undefined) return 'anon';
    let fingerprint = cache.get(token);
    if (fingerprint === undefined) {
      fingerprint = createHmac('sha256', secret).update(token, 'utf8').digest('hex').slice(0, 16);
      cache.set(token, fingerprint);
    }
    return fingerprint;
  };
}

/**
 * `ws://Host:80/a?b=2&a=1#x` and `ws://host/a?a=1&b=2` are one gateway: lower-case scheme and host, default
 * port dropped, query sorted, fragment dropped. http(s) is read as ws(s) (the gateway serves both on one
 * port). A URL with user info is refused: a credential belongs in `token`, where it is fingerprinted.
 */
export function canonicalGatewayUrl(raw: string, field = 'url'): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError([{ field, expected: 'a ws:// or wss:// URL' }]);
  }
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new ConfigError([{ field, expected: 'a ws:// or wss:// URL' }]);
  if (url.username !== '' || url.password !== '') throw new ConfigError([{ field, expected: 'a URL without user info (give the credential as token)' }]);
  url.hash = '';
  url.searchParams.sort();
  return url.href;
}

/** The entry key: `<canonical url>#<fingerprint>`. */
export function poolKeyOf(canonicalUrl: string, fingerprint: string): string {
  return `${canonicalUrl}#${fingerprint}`;
}
