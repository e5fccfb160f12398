// Loaded into every supervised child (`node --import`): when the supervisor dies without stopping its children
// (SIGKILL, a crashed test worker), the child notices it was re-parented and stops itself the graceful way, instead
// of living on as an orphan holding ports and CPU.
const supervisor = process.ppid;

setInterval(() => {
  if (process.ppid !== supervisor) process.kill(process.pid, 'SIGTERM');
}, 1000).unref();
