// Every API this broker implements. ApiVersions advertises exactly these ranges.
import type { ApiHandler } from './api';
import { apiVersionsApi } from './api-versions.api';
import { fetchApi } from './fetch.api';
import { findCoordinatorApi } from './find-coordinator.api';
import { deleteGroupsApi, describeGroupsApi, listGroupsApi, offsetCommitApi, offsetFetchApi } from './group-admin.api';
import { heartbeatApi, joinGroupApi, leaveGroupApi, syncGroupApi } from './group-membership.api';
import { initProducerIdApi } from './init-producer-id.api';
import { listOffsetsApi } from './list-offsets.api';
import { metadataApi } from './metadata.api';
import { produceApi } from './produce.api';
import { createPartitionsApi, createTopicsApi, deleteRecordsApi, deleteTopicsApi } from './topic-admin.api';

const handlers: ApiHandler[] = [
  produceApi,
  fetchApi,
  listOffsetsApi,
  metadataApi,
  offsetCommitApi,
  offsetFetchApi,
  findCoordinatorApi,
  joinGroupApi,
  heartbeatApi,
  leaveGroupApi,
  syncGroupApi,
  describeGroupsApi,
  listGroupsApi,
  createTopicsApi,
  deleteTopicsApi,
  deleteRecordsApi,
  initProducerIdApi,
  createPartitionsApi,
  deleteGroupsApi,
];
handlers.push(apiVersionsApi(() => handlers));

export const apiHandlers: ReadonlyMap<number, ApiHandler> = new Map(handlers.map((h) => [h.key, h]));
