// Platform-safe names: NeMo names may not contain `/`; output models must be unique per run (§10.25).

export function slug(value: string): string {
  return value
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** `meta/llama-3.2-1b-instruct` → `meta-llama-3.2-1b-instruct` (the DMS deployment name). */
export function deploymentName(model: string): string {
  return model.replace(/\//g, '-');
}
