// POST /v1/logs. The body is read here as raw bytes (the app runs without Nest's body parser), so sizes, UTF-8 and
// line numbers are judged on what the client actually sent.
import { type IncomingMessage } from 'node:http';
import { Controller, Inject, Post, Req, Res } from '@nestjs/common';
import { HttpIntake, type ErrorBody, type IngestReport } from './http-intake';

/** The part of express's response the handler uses (the express types are not a dependency). */
interface ResponseHead {
  status(code: number): unknown;
  setHeader(name: string, value: string): unknown;
}

@Controller('v1/logs')
export class LogsController {
  public constructor(@Inject(HttpIntake) private readonly intake: HttpIntake) {}

  @Post()
  public async ingest(
    @Req() req: IncomingMessage,
    @Res({ passthrough: true }) res: ResponseHead,
  ): Promise<IngestReport | ErrorBody> {
    const outcome = await this.intake.handle(req);
    res.status(outcome.status);
    for (const [name, value] of Object.entries(outcome.headers ?? {})) res.setHeader(name, value);
    return outcome.body;
  }
}
