// zod problems as short, path-first reasons ("request.messages.0.role: expected one of system, user, …"), never
// quoting the record's content beyond the offending value's type.
import { type ZodIssue } from 'zod';

const MAX_ISSUES = 10;

export function describeIssues(issues: readonly ZodIssue[]): string {
  const lines = issues.slice(0, MAX_ISSUES).map(describeIssue);
  const more = issues.length > MAX_ISSUES ? `; and ${issues.length - MAX_ISSUES} more` : '';
  return lines.join('; ') + more;
}

function describeIssue(issue: ZodIssue): string {
  const where = issue.path.length > 0 ? issue.path.join('.') : '(record)';
  if (issue.code === 'invalid_type') {
    return issue.received === 'undefined'
      ? `${where}: required`
      : `${where}: expected ${issue.expected}, got ${issue.received}`;
  }
  if (issue.code === 'invalid_union') return describeUnion(where, issue);
  if (issue.code === 'invalid_enum_value') return `${where}: expected one of ${issue.options.join(', ')}`;
  if (issue.code === 'invalid_literal') return `${where}: expected ${JSON.stringify(issue.expected)}`;
  return `${where}: ${issue.message}`;
}

/** Which alternatives were tried, by type: "expected number or string, got boolean". */
function describeUnion(where: string, issue: Extract<ZodIssue, { code: 'invalid_union' }>): string {
  const expected = new Set<string>();
  let received: string | undefined;
  for (const error of issue.unionErrors) {
    for (const sub of error.issues) {
      if (sub.code === 'invalid_type' && sub.path.length === issue.path.length) {
        expected.add(sub.expected);
        received = sub.received;
      }
    }
  }
  if (received === 'undefined') return `${where}: required`;
  if (expected.size > 0 && received !== undefined)
    return `${where}: expected ${[...expected].join(' or ')}, got ${received}`;
  const messages = issue.unionErrors.flatMap((e) => e.issues.map(describeIssue));
  return `${where}: matches none of the accepted forms (${[...new Set(messages)].slice(0, 3).join(' | ')})`;
}
