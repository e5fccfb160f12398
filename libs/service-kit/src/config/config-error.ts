// A configuration that cannot start the service. Every problem is listed, one per line, each naming its key, so an
// operator fixes them all in one go instead of one restart per typo.
export class ConfigError extends Error {
  public constructor(public readonly problems: readonly string[]) {
    super(
      `invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n  ${problems.join('\n  ')}`,
    );
    this.name = 'ConfigError';
  }
}
