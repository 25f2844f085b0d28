// Where a command's lines for people go: standard output, or standard error when standard output carries a
// machine-readable result ('-' for --json or --csv), or nowhere with --quiet. Errors and warnings always go to
// standard error (console.error), whatever these say.

export type Say = (line: string) => void;

export function sayer(opts: { quiet?: boolean; stdoutTaken?: boolean }): Say {
  if (opts.quiet) return () => undefined;
  return opts.stdoutTaken ? (line) => console.error(line) : (line) => console.log(line);
}
