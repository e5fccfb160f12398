// Plain OpenAI-compatible endpoints cannot fine-tune; every call says so with a typed error.
import { PlatformUnsupportedError } from '../errors';
import {
  type CustomizationClient,
  type CustomizationConfigRef,
  type CustomizationJob,
} from '../ports/customization-client';

const reason = 'fine-tuning needs the NeMo backend; OpenAI-compatible endpoints serve fixed models';

function refuse<T>(op: string): Promise<T> {
  return Promise.reject(new PlatformUnsupportedError(`endpoints.${op}`, reason));
}

export class UnsupportedCustomizationClient implements CustomizationClient {
  public ensureConfig(): Promise<CustomizationConfigRef> {
    return refuse('ensureConfig');
  }
  public createJob(): Promise<CustomizationJob> {
    return refuse('createJob');
  }
  public getJob(): Promise<CustomizationJob> {
    return refuse('getJob');
  }
  /** No job can exist here, so there is none to find. */
  public findJob(): Promise<CustomizationJob | null> {
    return Promise.resolve(null);
  }
  public cancelJob(): Promise<void> {
    return refuse('cancelJob');
  }
  public waitForCompletion(): Promise<CustomizationJob> {
    return refuse('waitForCompletion');
  }
  public deleteModel(): Promise<void> {
    return refuse('deleteModel');
  }
  public deleteConfig(): Promise<void> {
    return refuse('deleteConfig');
  }
}
