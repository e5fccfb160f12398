// The simulator's HTTP server (node:http): NeMo endpoints, the OpenAI-compatible `/v1` surface and the
// `/_sim` control routes on one port. Startable in-process for tests and from `main.ts` standalone.
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { type FaultAction, FaultInjector } from './http/faults';
import { BadRequest, type Reply, type SimRequest, fail, hubStyle } from './http/reply';
import { Router } from './http/router';
import { type SimulatorOptionsInput, simulatorOptionsSchema } from './options';
import { registerControlRoutes } from './routes/control.routes';
import { registerCustomizerRoutes } from './routes/customizer.routes';
import { registerDatastoreRoutes } from './routes/datastore.routes';
import { registerDeploymentRoutes } from './routes/deployment.routes';
import { registerEntityStoreRoutes } from './routes/entity-store.routes';
import { registerEvaluatorRoutes } from './routes/evaluator.routes';
import { registerOpenAIRoutes } from './routes/openai.routes';
import { DataDir } from './state/data-dir';
import { PlatformState } from './state/platform-state';
import { StateSaver } from './state/state-saver';

export interface PlatformSimulator {
  /** Base URL for every NeMo base URL (`nemo`, `nim`, `datastore`); OpenAI clients use `${url}/v1`. */
  url: string;
  state: PlatformState;
  faults: FaultInjector;
  stop(): Promise<void>;
}

export async function startPlatformSimulator(input: SimulatorOptionsInput = {}): Promise<PlatformSimulator> {
  const options = simulatorOptionsSchema.parse(input);
  const faults = new FaultInjector();
  const state = new PlatformState(options, faults);
  if (options.dataDir !== undefined) {
    const dir = DataDir.open(options.dataDir);
    try {
      state.attach(dir);
    } catch (err) {
      dir.release();
      throw err;
    }
  }
  const router = new Router();
  let url = '';
  registerEntityStoreRoutes(router, state);
  registerDatastoreRoutes(router, state, () => url);
  registerDeploymentRoutes(router, state);
  registerCustomizerRoutes(router, state);
  registerEvaluatorRoutes(router, state);
  registerOpenAIRoutes(router, state);
  registerControlRoutes(router, state);

  const stopping = new AbortController();
  const saver = new StateSaver(() => state.persist());
  const server = createServer((req, res) => {
    handle(req, res, router, state, saver, stopping.signal).catch((err: unknown) => {
      if (!res.headersSent) write(res, fail(500, err instanceof Error ? err.message : String(err)));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  }).catch((err: unknown) => {
    state.detach();
    throw err;
  });
  const address = server.address() as AddressInfo;
  url = `http://${options.host}:${address.port}`;
  return {
    url,
    state,
    faults,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        stopping.abort();
        server.close((err) => {
          state.detach();
          if (err) reject(err);
          else resolve();
        });
        server.closeAllConnections();
      }),
  };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  router: Router,
  state: PlatformState,
  saver: StateSaver,
  stopping: AbortSignal,
): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const url = new URL(req.url ?? '/', 'http://simulator');
  const path = url.pathname;
  const method = req.method ?? 'GET';
  const simReq: SimRequest = {
    method,
    path,
    headers: req.headers,
    body: Buffer.concat(chunks),
    query: url.searchParams,
  };
  const fault = path.startsWith('/_sim') ? null : state.faults.take(method, path);
  if (fault) {
    const early = await applyBefore(fault, res, stopping);
    if (early === 'done') return;
    if (early) {
      write(res, early);
      return;
    }
  }
  const moved = state.advance();
  const route = router.match(method, path);
  let reply: Reply;
  if (route === null) reply = fail(404, `no route for ${method} ${path}`);
  else if (route === 'method-not-allowed') reply = fail(405, `method ${method} not allowed on ${path}`);
  else {
    try {
      reply = await route.handler(simReq, route.params);
    } catch (err) {
      if (!(err instanceof BadRequest)) throw err;
      reply = fail(422, err.message);
    }
  }
  if (path.startsWith('/v1/hf/')) reply = hubStyle(reply);
  try {
    // Saved before answering: whatever a client was told exists (or has finished) survives a kill right after the
    // answer. Reads change nothing but the clock's transitions, so they save only when a job changed status.
    if (state.persistent && (moved || !READS.has(method))) await saver.saved();
  } catch (err) {
    reply = fail(500, `simulator could not save its state: ${err instanceof Error ? err.message : String(err)}`);
  }
  write(res, fault ? applyAfter(fault, reply) : reply);
}

async function applyBefore(
  fault: FaultAction,
  res: ServerResponse,
  stopping: AbortSignal,
): Promise<Reply | 'done' | null> {
  switch (fault.kind) {
    case 'http-error':
      return {
        status: fault.status,
        headers: fault.retryAfterSeconds !== undefined ? { 'retry-after': String(fault.retryAfterSeconds) } : {},
        ...(fault.body !== undefined
          ? { raw: fault.body }
          : { json: { detail: `injected fault: HTTP ${fault.status}` } }),
      };
    case 'stall':
      await sleep(fault.ms, undefined, { signal: stopping }).catch(() => undefined);
      return res.destroyed ? 'done' : null;
    case 'drop-connection':
      res.socket?.destroy();
      return 'done';
    case 'malformed-json':
    case 'rewrite-status':
      return null;
  }
}

function applyAfter(fault: FaultAction, reply: Reply): Reply {
  switch (fault.kind) {
    case 'malformed-json':
      return { status: reply.status, headers: reply.headers, raw: '{"status": "running", "id": ' };
    case 'rewrite-status': {
      if (reply.json === null || typeof reply.json !== 'object') return reply;
      const json = { ...(reply.json as Record<string, unknown>) };
      if (typeof json.status === 'string') json.status = fault.status;
      const details = json.status_details;
      if (details !== null && typeof details === 'object' && 'status' in details) {
        json.status_details = { ...details, status: fault.status };
      }
      return { ...reply, json };
    }
    case 'http-error':
    case 'stall':
    case 'drop-connection':
      return reply;
  }
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

function write(res: ServerResponse, reply: Reply): void {
  if (res.destroyed) return;
  const body = reply.raw !== undefined ? reply.raw : JSON.stringify(reply.json ?? null);
  const headers: Record<string, string> = {
    ...(reply.raw === undefined || typeof reply.raw === 'string' ? { 'content-type': 'application/json' } : {}),
    ...reply.headers,
  };
  res.writeHead(reply.status, headers);
  res.end(body);
}
