// The redactor: built once from the config, then applied to every record. Per workload it resolves which detectors
// run and compiles them once (order and why: see Pipeline and RULE_ORDER).
// Records are never mutated: changed parts are copied, unchanged subtrees are shared, and a record with nothing to
// redact is returned as is.
import {
  type ChatMessageV1,
  type ChatRequestV1,
  type ChatResponseV1,
  type ChoiceV1,
  type FeedbackV1,
  type LlmCallLoggedV1,
  type ToolCallV1,
  type ToolV1,
} from '@flywheel/contracts';
import { parseRedactionConfig, type RedactionConfig, type RedactionConfigInput } from './config';
import { BUILTIN_DETECTORS, type BuiltinDetectorName } from './detectors/builtin-names';
import { compileRule, type TextPass } from './detectors/rule-pass';
import { creditCardRules, isCardNumber } from './detectors/credit-card';
import { customDetector } from './detectors/custom';
import { digitsAtLeast, type Detector, type PatternRule } from './detectors/detector';
import { emailDetector } from './detectors/email';
import { ipv4Rules, ipv6Detector } from './detectors/ip-address';
import { phoneRules } from './detectors/phone';
import { isSecretKey, isToken, secretRules } from './detectors/secret';
import { redactJsonText, type JsonValueRedaction } from './json-text';

/** Detector name → replacements made. Only detectors that replaced something appear. */
export type RedactionCounts = Readonly<Record<string, number>>;

export interface RecordRedaction {
  /** The redacted record; the input object itself when nothing was redacted. */
  readonly record: LlmCallLoggedV1;
  readonly counts: RedactionCounts;
}

export interface TextRedaction {
  readonly text: string;
  readonly counts: RedactionCounts;
}

export interface Redactor {
  /** Every detector name the config defines (built-in and custom), e.g. to pre-create metric series. */
  readonly detectors: readonly string[];
  /** Whether records of this workload are redacted at all. */
  enabledFor(workloadId: string): boolean;
  /** Redacts message contents, tool-call argument values, feedback comments and (if configured) tool descriptions. */
  redactRecord(record: LlmCallLoggedV1): RecordRedaction;
  /** Redacts one text with the workload's detectors (the global default when no workload is given). */
  redactText(text: string, workloadId?: string): TextRedaction;
}

const NO_COUNTS: RedactionCounts = Object.freeze({});

// Passes run in this order: secrets first (`api_key=4111…` is a secret, and `https://u:pw@host` loses its password
// before the e-mail scan sees it), cards before phones (a card's digits are not split into phone numbers).
const PATTERN_RULES: Readonly<Record<BuiltinDetectorName, readonly PatternRule[]>> = {
  secret: secretRules,
  credit_card: creditCardRules,
  ip_address: ipv4Rules,
  phone: phoneRules,
  email: [],
};
const RULE_ORDER: readonly BuiltinDetectorName[] = ['secret', 'credit_card', 'ip_address', 'phone'];

/** Counts of the record being redacted. One per redactor: redaction is synchronous, so records never interleave. */
class Tally {
  private counts: Record<string, number> = {};
  private any = false;
  private readonly hits = new Map<string, () => void>();

  public hitFor(name: string): () => void {
    let hit = this.hits.get(name);
    if (hit === undefined) {
      hit = () => {
        this.counts[name] = (this.counts[name] ?? 0) + 1;
        this.any = true;
      };
      this.hits.set(name, hit);
    }
    return hit;
  }

  public reset(): void {
    if (this.any) this.counts = {};
    this.any = false;
  }

  public take(): RedactionCounts {
    if (!this.any) return NO_COUNTS;
    const counts = this.counts;
    this.counts = {};
    this.any = false;
    return counts;
  }
}

interface BoundDetector {
  readonly detector: Detector;
  readonly hit: () => void;
}

interface Special {
  readonly token: string;
  readonly hit: () => void;
}

/** The detectors and options one workload runs with. */
class Pipeline implements JsonValueRedaction {
  public constructor(
    /** Custom regexes first (a user's explicit rule wins over the heuristics), then IPv6 (before IPv4 can take the
     * dotted tail of `::ffff:192.0.2.1`). */
    private readonly before: readonly BoundDetector[],
    /** Secrets, cards, IPv4 and phones: one regex pass per rule. */
    private readonly patterns: readonly TextPass[],
    /** E-mail last: a URL's password is already gone, so `user:pw@host` is not taken for an address. */
    private readonly after: readonly BoundDetector[],
    public readonly toolDescriptions: boolean,
    private readonly secret: Special | undefined,
    private readonly card: Special | undefined,
  ) {}

  public text(text: string): string {
    if (text.length === 0) return text;
    let out = text;
    for (const { detector, hit } of this.before) {
      if (detector.mayMatch(out)) out = detector.redact(out, hit);
    }
    // Replacement tokens hold no digits, so a count taken once stays an upper bound through the passes.
    let digits: 0 | 4 | 7 | undefined;
    for (const pass of this.patterns) {
      if (pass.minDigits > 0) {
        digits ??= digitsAtLeast(out);
        if (digits < pass.minDigits) continue;
      }
      out = pass.run(out);
    }
    for (const { detector, hit } of this.after) {
      if (detector.mayMatch(out)) out = detector.redact(out, hit);
    }
    return out;
  }

  /** A JSON text's string values; text redaction of the whole when it is not valid JSON (the model erred). */
  public json(json: string): string {
    return redactJsonText(json, this) ?? this.text(json);
  }

  public string(value: string, key: string | undefined): string {
    if (this.secret !== undefined && key !== undefined && value.length > 0 && isSecretKey(key) && !isToken(value)) {
      this.secret.hit();
      return this.secret.token;
    }
    return this.text(value);
  }

  public number(token: string): string | undefined {
    if (this.card === undefined || token.length < 13 || token.length > 19 || !isCardNumber(token)) return undefined;
    this.card.hit();
    return JSON.stringify(this.card.token);
  }
}

function sameArray<T>(items: readonly T[], map: (item: T) => T): readonly T[] {
  let out: T[] | undefined;
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as T;
    const next = map(item);
    if (next !== item) {
      out ??= items.slice(0, i);
    }
    if (out !== undefined) out.push(next);
  }
  return out ?? items;
}

function redactToolCall(call: ToolCallV1, pipe: Pipeline): ToolCallV1 {
  const args = pipe.json(call.function.arguments);
  return args === call.function.arguments ? call : { ...call, function: { ...call.function, arguments: args } };
}

function redactMessage(message: ChatMessageV1, pipe: Pipeline): ChatMessageV1 {
  const content = message.content === null ? null : pipe.text(message.content);
  const toolCalls = sameArray(message.tool_calls, (c) => redactToolCall(c, pipe));
  return content === message.content && toolCalls === message.tool_calls
    ? message
    : { ...message, content, tool_calls: toolCalls };
}

function redactTool(tool: ToolV1, pipe: Pipeline): ToolV1 {
  const fn = tool.function;
  const description = fn.description === null ? null : pipe.text(fn.description);
  const parameters = fn.parameters === null ? null : pipe.json(fn.parameters);
  return description === fn.description && parameters === fn.parameters
    ? tool
    : { ...tool, function: { ...fn, description, parameters } };
}

function redactRequest(request: ChatRequestV1, pipe: Pipeline): ChatRequestV1 {
  const messages = sameArray(request.messages, (m) => redactMessage(m, pipe));
  const tools = pipe.toolDescriptions ? sameArray(request.tools, (t) => redactTool(t, pipe)) : request.tools;
  return messages === request.messages && tools === request.tools ? request : { ...request, messages, tools };
}

function redactChoice(choice: ChoiceV1, pipe: Pipeline): ChoiceV1 {
  const message = redactMessage(choice.message, pipe);
  return message === choice.message ? choice : { ...choice, message };
}

function redactResponse(response: ChatResponseV1, pipe: Pipeline): ChatResponseV1 {
  const choices = sameArray(response.choices, (c) => redactChoice(c, pipe));
  return choices === response.choices ? response : { ...response, choices };
}

function redactFeedback(feedback: FeedbackV1 | null, pipe: Pipeline): FeedbackV1 | null {
  if (feedback === null || feedback.comment === null) return feedback;
  const comment = pipe.text(feedback.comment);
  return comment === feedback.comment ? feedback : { ...feedback, comment };
}

class ConfiguredRedactor implements Redactor {
  public readonly detectors: readonly string[];
  private readonly tally = new Tally();
  private readonly defaultPipeline: Pipeline | undefined;
  private readonly workloadPipelines = new Map<string, Pipeline | undefined>();

  public constructor(config: RedactionConfig) {
    this.detectors = [...BUILTIN_DETECTORS, ...config.custom.map((c) => c.name)];
    const customs = config.custom.map((c) => ({ enabled: c.enabled, detector: customDetector(c) }));
    const token = (name: BuiltinDetectorName): string => config.detectors[name].replacement;
    const build = (
      enabled: boolean,
      overrides: Readonly<Record<string, boolean>>,
      toolDescriptions: boolean,
    ): Pipeline | undefined => {
      if (!enabled) return undefined;
      const on = (name: BuiltinDetectorName): boolean => overrides[name] ?? config.detectors[name].enabled;
      const hit = (name: string): (() => void) => this.tally.hitFor(name);
      const before: BoundDetector[] = customs
        .filter((c) => overrides[c.detector.name] ?? c.enabled)
        .map(({ detector }) => ({ detector, hit: hit(detector.name) }));
      if (on('ip_address')) before.push({ detector: ipv6Detector(token('ip_address')), hit: hit('ip_address') });
      const patterns = RULE_ORDER.filter(on).flatMap((name) =>
        PATTERN_RULES[name].map((rule) => compileRule({ rule, token: token(name), hit: hit(name) })),
      );
      const after: BoundDetector[] = on('email')
        ? [{ detector: emailDetector(token('email')), hit: hit('email') }]
        : [];
      const special = (name: BuiltinDetectorName): Special | undefined =>
        on(name) ? { token: token(name), hit: hit(name) } : undefined;
      return new Pipeline(before, patterns, after, toolDescriptions, special('secret'), special('credit_card'));
    };
    this.defaultPipeline = build(config.enabled, {}, config.toolDescriptions);
    for (const [workload, o] of Object.entries(config.workloads)) {
      this.workloadPipelines.set(
        workload,
        build(o.enabled ?? config.enabled, o.detectors, o.toolDescriptions ?? config.toolDescriptions),
      );
    }
  }

  public enabledFor(workloadId: string): boolean {
    return this.pipelineFor(workloadId) !== undefined;
  }

  public redactRecord(record: LlmCallLoggedV1): RecordRedaction {
    const pipe = this.pipelineFor(record.workload_id);
    if (pipe === undefined) return { record, counts: NO_COUNTS };
    this.tally.reset();
    try {
      const request = redactRequest(record.request, pipe);
      const response = redactResponse(record.response, pipe);
      const feedback = redactFeedback(record.feedback, pipe);
      const counts = this.tally.take();
      if (request === record.request && response === record.response && feedback === record.feedback) {
        return { record, counts };
      }
      return { record: { ...record, request, response, feedback }, counts };
    } finally {
      this.tally.reset();
    }
  }

  public redactText(text: string, workloadId?: string): TextRedaction {
    const pipe = workloadId === undefined ? this.defaultPipeline : this.pipelineFor(workloadId);
    if (pipe === undefined) return { text, counts: NO_COUNTS };
    this.tally.reset();
    try {
      const redacted = pipe.text(text);
      return { text: redacted, counts: this.tally.take() };
    } finally {
      this.tally.reset();
    }
  }

  private pipelineFor(workloadId: string): Pipeline | undefined {
    return this.workloadPipelines.has(workloadId) ? this.workloadPipelines.get(workloadId) : this.defaultPipeline;
  }
}

/**
 * Builds a redactor from the settings (validated here; a RedactionConfigError names every bad field). Build it
 * once: detectors and per-workload pipelines are compiled up front.
 */
export function createRedactor(config: RedactionConfigInput = {}): Redactor {
  return new ConfiguredRedactor(parseRedactionConfig(config));
}
