import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const resultsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../results');

/** Print a scenario's figures and keep them in results/<scenario>.json (the source of docs/reliability.md). */
export function report(scenario: string, figures: Record<string, unknown>): void {
  const line = { scenario, at: new Date().toISOString(), ...figures };
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(path.join(resultsDir, `${scenario}.json`), `${JSON.stringify(line, null, 2)}\n`);
  process.stdout.write(`[faults] ${JSON.stringify(line)}\n`);
}
