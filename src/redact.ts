// Secrets (gateway token, device private key, device token) must never reach logs, errors or captured
// output. Two layers: pino `redact` paths for structured fields, and value-based scrubbing for free text
// (stderr lines, argv) where a secret can appear anywhere.

export const REDACTED = '[redacted]';

/** pino redact paths covering every place our own log calls may carry a secret. */
export const SECRET_LOG_PATHS: readonly string[] = [
  'token',
  '*.token',
  'auth.token',
  '*.auth.token',
  'deviceToken',
  '*.deviceToken',
  'privateKey',
  '*.privateKey',
  'privateKeyPem',
  '*.privateKeyPem',
  'params.auth',
  '*.params.auth',
  'argv',
];

/** Replaces every occurrence of each known secret value (length >= 4) in `text`. */
export function scrubSecrets(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4 && out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  return out;
}

/** Copies an argv with the value after `--token` (or `--token=...`) replaced. */
export function redactArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--token' && i + 1 < argv.length) {
      out.push(arg, REDACTED);
      i++;
    } else if (arg.startsWith('--token=')) {
      out.push(`--token=${REDACTED}`);
    } else {
      out.push(arg);
    }
  }
  return out;
}
