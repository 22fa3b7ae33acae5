import type { UserRepository } from '../data-access/user.repository.js';
import { searchTerms } from './search-terms.js';

/**
 * Gives users stored before prefix search existed their search terms, in batches, so they can be found.
 * Idempotent and safe to run on every start and from several replicas at once (each write is the same).
 */
export async function backfillSearchTerms(users: UserRepository, batchSize = 500): Promise<number> {
  let done = 0;
  for (;;) {
    const batch = await users.listWithoutSearchTerms(batchSize);
    for (const user of batch) await users.setSearchTerms(user._id, searchTerms(user.username, user.fullName));
    done += batch.length;
    if (batch.length < batchSize) return done;
  }
}
