// `name | line`, names padded to one width so the columns of six interleaved services line up.
import { type LogLine } from './managed-process';

const WIDTH = 'results-aggregator'.length;

const COLOURS = [36, 33, 35, 32, 34, 91, 96, 93, 95];

function colourOf(source: string): number {
  let h = 0;
  for (const ch of source) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return COLOURS[h % COLOURS.length] ?? 36;
}

export function formatLogLine(line: LogLine, options: { readonly colour?: boolean } = {}): string {
  const name = line.source.padEnd(WIDTH);
  const prefix = options.colour === true ? `\u001b[${colourOf(line.source)}m${name}\u001b[0m` : name;
  const marker = line.stream === 'supervisor' && line.source !== 'supervisor' ? '» ' : '';
  return `${prefix} | ${marker}${line.text}`;
}
