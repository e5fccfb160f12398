// The CLI as a library: run it in-process (tests) or reuse its line conversion.
export { buildProgram, runCli } from './cli';
export { type CliContext } from './context';
export { type CliIo, type OutputStream } from './io';
export { openBusLogSink } from './logs/bus-log-sink';
export { convertLine, type LineDefaults, type LineResult } from './logs/convert-line';
export { loadLogs, type LoadSummary, type LogSink } from './logs/load-logs';
