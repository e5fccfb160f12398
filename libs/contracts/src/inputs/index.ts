export {
  llmCallInputSchema,
  parseLlmCall,
  toLlmCallLogged,
  type LlmCallConversionOptions,
  type LlmCallInput,
} from './llm-call-input';
export {
  runRequestInputSchema,
  toRunRequested,
  type RunRequestContext,
  type RunRequestInput,
} from './run-request-input';
