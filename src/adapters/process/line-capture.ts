// Turns a child's output stream into clean lines. A consumer is attached at once so the pipe never
// fills (a full pipe blocks the gateway's writes and, with them, its event loop), and every line is
// cleaned before anyone sees it: ANSI stripped, secrets redacted, absurdly long lines cut.
import type { Readable } from 'node:stream';
// The gateway colours its output even into a pipe. Node's own stripper covers what it prints (SGR
// colours, erase/cursor CSIs, the 8-bit CSI, OSC 8 hyperlinks, two-byte ESC sequences).
import { stripVTControlCharacters } from 'node:util';
import { scrubSecrets } from '../../redact.js';

export interface LineCaptureOptions {
  /** Values that must never appear in a captured line (the gateway token, ...). */
  secrets: ReadonlyArray<string | undefined>;
  /** Called with each cleaned line, in order. */
  onLine: (line: string) => void;
  /** Longer lines are cut here (a JSON dump on one line must not become one huge string). */
  maxLineChars?: number;
}

const DEFAULT_MAX_LINE_CHARS = 4_096;
// A long line is cut only once this much more than the limit has arrived, so a secret split across two
// chunks is always either whole (and scrubbed) or entirely past the cut.
const SECRET_MARGIN_CHARS = 1_024;

/** Reads `stream` to its end, splitting on newlines; resolves when the stream has ended or closed. */
export function captureLines(stream: Readable, options: LineCaptureOptions): Promise<void> {
  const maxLineChars = options.maxLineChars ?? DEFAULT_MAX_LINE_CHARS;
  let pending = '';
  let dropping = false;

  // Scrub before cutting, so a secret straddling the cut cannot leave a prefix behind.
  const emit = (raw: string): void => {
    const line = scrubSecrets(stripVTControlCharacters(raw.endsWith('\r') ? raw.slice(0, -1) : raw), options.secrets);
    options.onLine(line.length > maxLineChars ? `${line.slice(0, maxLineChars)}…[cut]` : line);
  };

  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    let from = 0;
    for (let nl = chunk.indexOf('\n'); nl !== -1; nl = chunk.indexOf('\n', from)) {
      const piece = chunk.slice(from, nl);
      if (dropping) dropping = false;
      else emit(pending + piece);
      pending = '';
      from = nl + 1;
    }
    if (dropping) return;
    pending += chunk.slice(from);
    if (pending.length > maxLineChars + SECRET_MARGIN_CHARS) {
      // Keep the start of the line (it says what the line is), drop the rest up to the next newline.
      emit(pending);
      pending = '';
      dropping = true;
    }
  });

  return new Promise((resolve) => {
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      if (pending.length > 0 && !dropping) emit(pending);
      pending = '';
      resolve();
    };
    stream.once('end', finish);
    stream.once('close', finish);
    // A read error on a child pipe means the child is gone; its exit is reported elsewhere.
    stream.once('error', finish);
  });
}
