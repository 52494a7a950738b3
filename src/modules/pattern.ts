import { RE2JS } from "re2js";

/** A compiled `validation.pattern`. */
export interface Pattern {
  test(text: string): boolean;
}

/**
 * Compiles a module's `validation.pattern` for an engine whose matching time is linear in the
 * input (RE2, ported to JS by `re2js`): a pattern such as `^(a+)+$` cannot stall the server as
 * it would V8's backtracking engine. Backreferences and lookaround have no linear-time
 * algorithm, so a pattern using them is refused (throws, with RE2's reason).
 */
export function compilePattern(source: string): Pattern {
  const compiled = RE2JS.compile(source);
  return { test: (text) => compiled.matcher(text).find() };
}
