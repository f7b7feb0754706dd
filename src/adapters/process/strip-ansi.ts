// The gateway colours its console output even when stdout is a pipe; captured lines are for humans
// reading an error or a log, so the escape sequences go before anything is stored.

// CSI sequences (ESC [ ... final byte, also the 8-bit C1 form), OSC sequences (ESC ] ... BEL or ESC \),
// and the remaining two-byte ESC sequences (charset selection, keypad mode, ...).
const ANSI_PATTERN =
  // eslint-disable-next-line no-control-regex
  /(?:\u001b\[|\u009b)[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g;

/** Removes ANSI escape sequences (colours, cursor moves, hyperlinks) from `text`. */
export function stripAnsi(text: string): string {
  // Most lines carry no escape at all; skip the regex for them.
  if (!text.includes('\u001b') && !text.includes('\u009b')) return text;
  return text.replace(ANSI_PATTERN, '');
}
