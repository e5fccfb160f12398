// Which backends the contract suites run against: SQLite always; Elasticsearch and MongoDB through testcontainers
// when Docker answers. Without Docker the real-server suites are registered as skipped and the reason printed.
import { execFileSync } from 'node:child_process';
import { ElasticsearchContainer, type StartedElasticsearchContainer } from '@testcontainers/elasticsearch';
import { MongoDBContainer, type StartedMongoDBContainer } from '@testcontainers/mongodb';

export const ELASTICSEARCH_IMAGE = 'docker.elastic.co/elasticsearch/elasticsearch:9.1.5';
export const MONGODB_IMAGE = 'mongo:7.0.14';

/** Pulling an image and starting a server can take minutes on a cold machine. */
export const CONTAINER_START_TIMEOUT_MS = 300_000;

let docker: boolean | undefined;

/** True when `docker info` succeeds; says so once when it does not (never a silent skip). */
export function dockerAvailable(): boolean {
  if (docker !== undefined) return docker;
  try {
    execFileSync('docker', ['info'], { stdio: 'ignore', timeout: 15_000 });
    docker = true;
  } catch {
    console.warn(
      'Docker is not available (`docker info` failed): the store contract suites run against SQLite only; ' +
        `the same suites against Elasticsearch (${ELASTICSEARCH_IMAGE}) and MongoDB (${MONGODB_IMAGE}) ` +
        'via testcontainers are skipped.',
    );
    docker = false;
  }
  return docker;
}

/** `describe` when Docker is available, else `describe.skip` (the skipped tests show in the report). */
export function describeWithDocker(name: string, body: () => void): void {
  (dockerAvailable() ? describe : describe.skip)(name, body);
}

export interface ElasticsearchServer {
  readonly url: string;
  readonly username: string;
  readonly password: string;
  stop(): Promise<void>;
}

export async function startElasticsearch(): Promise<ElasticsearchServer> {
  const container: StartedElasticsearchContainer = await new ElasticsearchContainer(ELASTICSEARCH_IMAGE)
    .withEnvironment({ ES_JAVA_OPTS: '-Xms512m -Xmx512m' })
    .start();
  return {
    url: container.getHttpUrl(),
    username: container.getUsername(),
    password: container.getPassword(),
    stop: async () => {
      await container.stop();
    },
  };
}

export interface MongoServer {
  readonly url: string;
  stop(): Promise<void>;
}

export async function startMongo(): Promise<MongoServer> {
  const container: StartedMongoDBContainer = await new MongoDBContainer(MONGODB_IMAGE).start();
  return {
    // The container runs a one-member replica set announced under its internal host name.
    url: `${container.getConnectionString()}/?directConnection=true`,
    stop: async () => {
      await container.stop();
    },
  };
}

let unique = 0;
/** A fresh name per store under test (index prefix, database), so tests never share state. */
export function uniqueName(prefix: string): string {
  unique += 1;
  return `${prefix}${process.pid}-${Date.now().toString(36)}-${unique}`;
}
