// The bus logs through this narrow port; Nest's Logger fits it as is.
import { Logger } from '@nestjs/common';

export interface BusLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug?(message: string): void;
}

export function defaultBusLogger(context = 'EventBus'): BusLogger {
  return new Logger(context);
}
