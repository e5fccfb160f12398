// Render-free checks of Helm templates (helm is not installable here): balanced `{{ }}` delimiters, control blocks
// closed in order, every `.Values` path a template reads present in values.yaml, every field read from a `range`
// variable present in each element it ranges over, and every `include` naming a defined template.
import { type JsonObject, isObject, type Json } from './compose-file';

/** The text of every action (`{{ … }}`), trim markers removed; comments are dropped. Delimiter problems in `problems`. */
export function actionsOf(text: string, problems: string[]): string[] {
  const actions: string[] = [];
  let at = 0;
  for (;;) {
    const open = text.indexOf('{{', at);
    const close = text.indexOf('}}', at);
    if (open === -1) {
      if (close !== -1) problems.push(`"}}" without "{{" at line ${lineOf(text, close)}`);
      return actions;
    }
    if (close !== -1 && close < open) {
      problems.push(`"}}" without "{{" at line ${lineOf(text, close)}`);
      at = close + 2;
      continue;
    }
    const end = text.indexOf('}}', open + 2);
    const nested = text.indexOf('{{', open + 2);
    if (end === -1) {
      problems.push(`"{{" never closed at line ${lineOf(text, open)}`);
      return actions;
    }
    if (nested !== -1 && nested < end) {
      problems.push(`"{{" opened again before "}}" at line ${lineOf(text, nested)}`);
      at = nested;
      continue;
    }
    const body = text
      .slice(open + 2, end)
      .replace(/^-\s/, '')
      .replace(/\s-$/, '')
      .trim();
    if (!body.startsWith('/*')) actions.push(body);
    else if (!body.endsWith('*/')) problems.push(`comment not closed at line ${lineOf(text, open)}`);
    at = end + 2;
  }
}

function lineOf(text: string, index: number): number {
  return text.slice(0, index).split('\n').length;
}

const OPENERS = new Set(['if', 'range', 'with', 'define', 'block']);

/** Every `if`/`range`/`with`/`define`/`block` closed by its own `end`; `else` only inside an `if`, `with` or `range`. */
export function blockProblems(actions: readonly string[]): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  for (const action of actions) {
    const word = /^[a-z]+/.exec(action)?.[0] ?? '';
    if (OPENERS.has(word)) stack.push(word);
    else if (word === 'end') {
      if (stack.pop() === undefined) problems.push('"end" without an open block');
    } else if (word === 'else' && !['if', 'with', 'range'].includes(stack[stack.length - 1] ?? '')) {
      problems.push('"else" outside if/with/range');
    }
  }
  for (const open of stack) problems.push(`"${open}" never closed by "end"`);
  return problems;
}

export function lookup(root: Json, path: readonly string[]): Json | undefined {
  let node: Json | undefined = root;
  for (const key of path) {
    if (!isObject(node)) return undefined;
    node = node[key];
  }
  return node;
}

/** `.Values.a.b` (or `$.Values.a.b`) paths a set of actions reads. */
export function valuesPaths(actions: readonly string[]): string[][] {
  const paths: string[][] = [];
  for (const action of actions) {
    for (const m of action.matchAll(/\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)) {
      paths.push((m[1] ?? '').slice(1).split('.'));
    }
  }
  return paths;
}

/**
 * Problems of one template against the values: missing `.Values` paths, and fields of a `range $k, $v := .Values.x`
 * variable that some element of `.Values.x` lacks.
 */
export function valuesProblems(actions: readonly string[], values: JsonObject): string[] {
  const problems: string[] = [];
  for (const path of valuesPaths(actions)) {
    if (lookup(values, path) === undefined) problems.push(`.Values.${path.join('.')} is not in values.yaml`);
  }
  const ranged = new Map<string, string[]>();
  for (const action of actions) {
    const m = /^range\s+(?:\$\w+\s*,\s*)?\$(\w+)\s*:=\s*\$?\.Values((?:\.\w+)+)/.exec(action);
    if (m !== null) ranged.set(m[1] ?? '', (m[2] ?? '').slice(1).split('.'));
  }
  for (const [variable, collection] of ranged) {
    const elements = lookup(values, collection);
    if (!isObject(elements)) continue;
    for (const action of actions) {
      for (const m of action.matchAll(new RegExp(`\\$${variable}((?:\\.[A-Za-z_][A-Za-z0-9_]*)+)`, 'g'))) {
        const field = (m[1] ?? '').slice(1).split('.');
        for (const [name, element] of Object.entries(elements)) {
          if (lookup(element, field) === undefined) {
            problems.push(`$${variable}.${field.join('.')} is missing from .Values.${collection.join('.')}.${name}`);
          }
        }
      }
    }
  }
  return problems;
}

export function includedNames(actions: readonly string[]): string[] {
  return actions.flatMap((a) => [...a.matchAll(/\binclude\s+"([^"]+)"/g)].map((m) => m[1] ?? ''));
}

export function definedNames(actions: readonly string[]): string[] {
  return actions.flatMap((a) => [...a.matchAll(/^define\s+"([^"]+)"/g)].map((m) => m[1] ?? ''));
}
