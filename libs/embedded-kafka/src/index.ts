export { startEmbeddedKafka, type EmbeddedKafka, type RequestInterceptor } from './embedded-kafka';
export { type EmbeddedKafkaOptions, InvalidKafkaOptionsError } from './config';
export { type RequestTrace } from './net/connection';
export { ApiKey, apiName } from './protocol/api-keys';
export { ErrorCode } from './protocol/error-codes';
export { apiHandlers } from './apis/registry';
