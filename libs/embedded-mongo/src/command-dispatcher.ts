import type { CommandContext, CommandHandler } from './commands/command-context.js';
import { handshakeCommands } from './commands/handshake-commands.js';
import { indexCommands } from './commands/index-commands.js';
import { namespaceCommands } from './commands/namespace-commands.js';
import { readCommands } from './commands/read-commands.js';
import { writeCommands } from './commands/write-commands.js';
import { CommandError, commandNotFound, toCommandError } from './errors.js';
import type { Doc } from './types.js';

const HANDLERS = new Map<string, CommandHandler>(
  Object.entries({
    ...handshakeCommands,
    ...readCommands,
    ...writeCommands,
    ...indexCommands,
    ...namespaceCommands,
  }),
);

/** Runs one command document and always returns a reply (`ok: 0` with code/codeName on failure). */
export function dispatchCommand(cmd: Doc, ctx: Omit<CommandContext, 'db'>): Doc {
  const name = commandName(cmd);
  try {
    const handler = HANDLERS.get(name);
    if (!handler) throw commandNotFound(name);
    if (cmd.startTransaction === true || cmd.autocommit === false) {
      // What a standalone mongod answers: transactions need a replica set.
      throw new CommandError(
        20,
        'IllegalOperation',
        'Transaction numbers are only allowed on a replica set member or mongos',
      );
    }
    const db = typeof cmd.$db === 'string' && cmd.$db !== '' ? cmd.$db : 'test';
    const reply = handler(cmd, {
      storage: ctx.storage,
      cursors: ctx.cursors,
      connectionId: ctx.connectionId,
      db,
    });
    return { ...reply, ok: 1 };
  } catch (error) {
    return toCommandError(error).toReply();
  }
}

/** The command's first field, without listing all of them (a command carries a dozen). */
function commandName(cmd: Doc): string {
  for (const key in cmd) return key;
  return '';
}
