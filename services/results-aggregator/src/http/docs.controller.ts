// GET /api/docs: the OpenAPI document of the jobs API.
import { Controller, Get } from '@nestjs/common';
import { openApiDocument } from '../openapi/openapi-document';

@Controller('api/docs')
export class DocsController {
  @Get()
  public document(): typeof openApiDocument {
    return openApiDocument;
  }
}
