/** One instruction of a Dockerfile, continuation lines joined and comments dropped. */
export interface Instruction {
  keyword: string;
  /** The arguments as written, after the keyword. */
  args: string;
  line: number;
}

export interface Stage {
  /** The `AS` name, or the stage's index as a string. */
  name: string;
  index: number;
  /** The base: an image reference or an earlier stage's name. */
  from: string;
  instructions: Instruction[];
}

/** Instructions the replay knows how to run or check; anything else fails the parse loudly. */
const KNOWN = new Set([
  'FROM',
  'WORKDIR',
  'COPY',
  'ENV',
  'ARG',
  'RUN',
  'USER',
  'STOPSIGNAL',
  'CMD',
  'EXPOSE',
]);

function logicalLines(text: string): Instruction[] {
  const out: Instruction[] = [];
  let pending = '';
  let start = 0;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trimEnd();
    // Comment lines are removed even in the middle of a continued instruction.
    if (/^\s*#/.test(line) || (line.trim() === '' && pending === '')) return;
    if (pending === '') start = i + 1;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      return;
    }
    const full = (pending + line).trim();
    pending = '';
    const match = /^(\S+)\s*(.*)$/s.exec(full);
    if (match?.[1]) out.push({ keyword: match[1].toUpperCase(), args: match[2] ?? '', line: start });
  });
  return out;
}

/** Splits a Dockerfile into its stages. */
export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  for (const instruction of logicalLines(text)) {
    if (!KNOWN.has(instruction.keyword)) {
      throw new Error(`line ${instruction.line}: the replay does not support ${instruction.keyword}`);
    }
    if (instruction.keyword === 'FROM') {
      const [from = '', as, name] = instruction.args.split(/\s+/);
      const index = stages.length;
      stages.push({
        name: as?.toUpperCase() === 'AS' && name ? name : String(index),
        index,
        from,
        instructions: [],
      });
      continue;
    }
    const current = stages.at(-1);
    if (!current) throw new Error(`line ${instruction.line}: ${instruction.keyword} before any FROM`);
    current.instructions.push(instruction);
  }
  return stages;
}

/** `$NAME` and `${NAME}` replaced with their values (unknown names become empty, as Docker does). */
export function substitute(text: string, vars: Record<string, string>): string {
  return text.replace(
    /\$\{(\w+)\}|\$(\w+)/g,
    (_, braced: string, bare: string) => vars[braced ?? bare] ?? '',
  );
}

/** Splits `--flag=value` options off the front of an instruction's arguments. */
export function splitFlags(args: string): { flags: Record<string, string>; rest: string[] } {
  const words = args.startsWith('[') ? (JSON.parse(args) as string[]) : args.split(/\s+/).filter(Boolean);
  const flags: Record<string, string> = {};
  while (words[0]?.startsWith('--')) {
    const [key = '', value = ''] = (words.shift() ?? '').slice(2).split('=', 2);
    flags[key] = value;
  }
  return { flags, rest: words };
}

/** `KEY=value` pairs of ENV or ARG (the legacy `ENV KEY value` form too); quotes are removed. */
export function parseAssignments(args: string): Array<[string, string | undefined]> {
  if (!args.includes('=')) {
    const [key = '', ...value] = args.split(/\s+/);
    return [[key, value.length > 0 ? value.join(' ') : undefined]];
  }
  const pairs: Array<[string, string | undefined]> = [];
  for (const match of args.matchAll(/(\w+)(?:=("[^"]*"|'[^']*'|\S*))?/g)) {
    const raw = match[2];
    pairs.push([match[1] ?? '', raw === undefined ? undefined : raw.replace(/^(["'])(.*)\1$/, '$2')]);
  }
  return pairs;
}

/** The command of a RUN or CMD: exec form as its array, shell form through `sh -c`. */
export function commandOf(args: string): string[] {
  return args.trim().startsWith('[') ? (JSON.parse(args) as string[]) : ['sh', '-c', args];
}
