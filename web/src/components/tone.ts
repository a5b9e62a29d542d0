/** The status colours of tokens.css: green (ok), amber (warn), red (bad), grey (idle), blue (info). */
export type Tone = 'ok' | 'warn' | 'bad' | 'idle' | 'info';
