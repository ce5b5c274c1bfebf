/** A word as a POSIX shell reads it back: plain when safe, else single-quoted. For the commands the CLI prints. */
export function shellQuote(word: string): string {
  return /^[\w./:=,@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}
