// What an esbuild CommonJS bundle still loads from node_modules at run time: its `require("…")` calls, which the
// bundler leaves for every npm package (`packages: 'external'`) and rewrites to double-quoted literals. A `require`
// of anything else (a variable, a template) cannot be checked statically, so it is reported rather than ignored.
import { builtinModules } from 'node:module';

export interface BundleRequires {
  /** npm package names required (`@scope/name` or `name`, subpaths dropped), sorted, without Node built-ins. */
  readonly packages: readonly string[];
  /** The argument text of each `require(...)` that is not a string literal. */
  readonly dynamic: readonly string[];
}

const BUILTINS = new Set(builtinModules);
const REQUIRE = /(?<![\w$.])require\(\s*([^)]*?)\s*\)/g;
const LITERAL = /^(?:"([^"\\]+)"|'([^'\\]+)'|`([^`$\\]+)`)$/;

/** `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
export function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return (specifier.startsWith('@') ? parts.slice(0, 2) : parts.slice(0, 1)).join('/');
}

function isBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || BUILTINS.has(specifier) || BUILTINS.has(packageOf(specifier));
}

export function requiresOf(code: string): BundleRequires {
  const packages = new Set<string>();
  const dynamic: string[] = [];
  for (const match of code.matchAll(REQUIRE)) {
    const arg = match[1] ?? '';
    const literal = LITERAL.exec(arg);
    const specifier = literal === null ? undefined : (literal[1] ?? literal[2] ?? literal[3]);
    if (specifier === undefined) dynamic.push(arg);
    else if (!isBuiltin(specifier)) packages.add(packageOf(specifier));
  }
  return { packages: [...packages].sort(), dynamic };
}
