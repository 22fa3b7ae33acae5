#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { z } from 'zod';

// Summarizes a `node --cpu-prof` profile: where the samples fall, by package and by function.
const profileSchema = z.object({
  nodes: z.array(
    z.object({
      id: z.number(),
      hitCount: z.number().default(0),
      callFrame: z.object({ functionName: z.string(), url: z.string(), lineNumber: z.number() }),
    }),
  ),
});

/** `node_modules/<pkg>`, `node:internal`, the workspace folder, or the V8 pseudo-frame's name. */
function packageOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules?.[1]) return modules[1];
  if (url.startsWith('node:')) return 'node (core)';
  const workspace = /\/(services\/[^/]+|libs\/[^/]+|tools\/[^/]+)\//.exec(url);
  return workspace?.[1] ?? url;
}

function top(map: Map<string, number>, total: number, n: number): string[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, hits]) => `${((hits / total) * 100).toFixed(1).padStart(5)}%  ${name}`);
}

/** Top packages and functions by self samples, as printable lines. */
export function summarizeProfile(file: string, n = 15): string[] {
  const profile = profileSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    if (node.hitCount === 0 || functionName === '(idle)') continue;
    total += node.hitCount;
    const pkg = packageOf(url, functionName);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + node.hitCount);
    const fn = `${functionName || '(anonymous)'} ${pkg}:${lineNumber + 1}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + node.hitCount);
  }
  return [
    `${file}: ${total} busy samples`,
    'by package:',
    ...top(byPackage, total, n),
    'by function (self):',
    ...top(byFunction, total, n),
  ];
}

if (process.argv[1]?.endsWith('profile-summary.js')) {
  for (const file of process.argv.slice(2)) console.log(summarizeProfile(file).join('\n'), '\n');
}
