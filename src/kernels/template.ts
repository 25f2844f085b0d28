// A tiny WGSL preprocessor: `#include FILE` inserts shaders/FILE.wgsl, `#if NAME` / `#else` / `#endif`
// lines keep or drop code by a boolean define, and `${NAME}` is replaced by a define's value. Each
// specialisation is one pipeline in the cache.
import { WGSL_SOURCES } from './wgsl-sources.generated.js';

export type Defines = Readonly<Record<string, number | boolean | string>>;

function withIncludes(shader: string, chain: string[]): string {
  const source = WGSL_SOURCES[shader];
  if (source === undefined)
    throw new Error(
      `no shader named '${shader}' among the embedded shaders${chain.length ? ` (included from ${chain.at(-1)}.wgsl)` : ''}: a new shaders/${shader}.wgsl is embedded by \`npm run build\``,
    );
  if (chain.includes(shader)) throw new Error(`${shader}.wgsl includes itself (${[...chain, shader].join(' -> ')})`);
  return source.replace(/^\s*#include\s+(\w+)\s*$/gm, (_, name: string) => withIncludes(name, [...chain, shader]));
}

export function specialize(shader: string, defines: Defines): string {
  const source = withIncludes(shader, []);
  const out: string[] = [];
  const stack: { keep: boolean; parentKeep: boolean }[] = [];
  let keep = true;
  source.split('\n').forEach((line, i) => {
    const directive = /^\s*#(if|else|endif)\b\s*(\w*)/.exec(line);
    if (directive) {
      const [, kind, name] = directive;
      if (kind === 'if') {
        if (!(name! in defines)) throw new Error(`${shader}.wgsl:${i + 1}: #if ${name} has no define`);
        stack.push({ keep: Boolean(defines[name!]), parentKeep: keep });
        keep = keep && Boolean(defines[name!]);
      } else if (kind === 'else') {
        const top = stack[stack.length - 1];
        if (!top) throw new Error(`${shader}.wgsl:${i + 1}: #else without #if`);
        top.keep = !top.keep;
        keep = top.parentKeep && top.keep;
      } else {
        const top = stack.pop();
        if (!top) throw new Error(`${shader}.wgsl:${i + 1}: #endif without #if`);
        keep = top.parentKeep;
      }
      return;
    }
    if (keep) out.push(line);
  });
  if (stack.length > 0) throw new Error(`${shader}.wgsl: unterminated #if`);
  return out.join('\n').replace(/\$\{(\w+)\}/g, (_, name: string) => {
    const value = defines[name];
    if (value === undefined) throw new Error(`${shader}.wgsl: \${${name}} has no define`);
    return String(value);
  });
}
