export {
  startFlywheelStack,
  StackStartError,
  type FlywheelStack,
  type FlywheelStackOptions,
  type SimulatorDelays,
  type SimulatorSettings,
  type StackPaths,
  type StackUrls,
} from './flywheel-stack';
export { describeExit, type ExitInfo, type LogLine, type LogSink, type LogStream } from './managed-process';
export { formatLogLine } from './log-format';
export { DEFAULT_PORTS, type PortName, type PortsOption, type StackPorts } from './ports';
export { FLYWHEEL_SERVICES, isFlywheelService, type FlywheelServiceName, type StackProcessName } from './services';
