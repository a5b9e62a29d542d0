import { CliError, EXIT, usageError } from './cli-error.ts';

/**
 * Reading secrets: typed at a terminal without echo, or piped in with `--password-stdin` (so a password never sits
 * in argv, where `ps` and shell history would show it).
 */
export async function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    throw usageError('no terminal to ask for a password on', 'pipe it in with --password-stdin');
  }
  process.stderr.write(question);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  try {
    return await new Promise<string>((resolve, reject) => {
      let typed = '';
      const onData = (chunk: string) => {
        for (const ch of chunk) {
          if (ch === '\r' || ch === '\n' || ch === '\u0004') {
            stdin.off('data', onData);
            process.stderr.write('\n');
            resolve(typed);
            return;
          }
          if (ch === '\u0003') {
            stdin.off('data', onData);
            process.stderr.write('\n');
            reject(new CliError(EXIT.usage, 'CANCELLED', 'cancelled'));
            return;
          }
          if (ch === '\u007f' || ch === '\b') typed = [...typed].slice(0, -1).join('');
          else typed += ch;
        }
      };
      stdin.on('data', onData);
    });
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
  }
}

/** A visible answer (a user name), from the terminal. */
export async function promptLine(question: string): Promise<string> {
  if (!process.stdin.isTTY) throw usageError('no terminal to ask on');
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await rl.question(question)).trim();
  } finally {
    rl.close();
  }
}

/** Every line piped to stdin (trailing CR/LF removed), for `--password-stdin`. */
export async function readStdinLines(): Promise<string[]> {
  if (process.stdin.isTTY) throw usageError('--password-stdin reads a pipe, not a terminal');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  const body = text.replace(/(\r?\n)+$/, '');
  return body === '' ? [] : body.split(/\r?\n/);
}

export async function passwordFromStdin(): Promise<string> {
  const [first] = await readStdinLines();
  if (!first) throw usageError('--password-stdin: nothing was piped in');
  return first;
}
