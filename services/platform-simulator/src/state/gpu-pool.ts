/** GPUs shared by deployments and running customization jobs. */
export class GpuPool {
  private used = 0;

  public constructor(public readonly capacity: number) {}

  public get free(): number {
    return this.capacity - this.used;
  }

  public tryAllocate(gpus: number): boolean {
    if (gpus > this.free) return false;
    this.used += gpus;
    return true;
  }

  /** Sets the GPUs in use (after restoring deployments and running jobs from a data dir). */
  public restore(used: number): void {
    this.used = Math.max(0, used);
  }

  public release(gpus: number): void {
    this.used = Math.max(0, this.used - gpus);
  }
}
