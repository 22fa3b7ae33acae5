import { listUsersQuery, type UserListItem } from '@chat/shared/api';
import { requireCaller } from '@chat/shared/auth';
import { validate } from '@chat/shared/http';
import type { Express } from 'express';
import type { BlockRepository } from '../../data-access/block.repository.js';
import type { UserRepository } from '../../data-access/user.repository.js';
import { listUsers, type PresenceReader } from '../../domain/list-users.js';
import { usersInputCodes } from '../../errors.js';
import { callerIdOf } from './caller.js';

export interface UsersRoutesDeps {
  internalTokenSecret: string;
  users: UserRepository;
  blocks: BlockRepository;
  readPresence: PresenceReader;
}

export function mountUsersRoutes(app: Express, deps: UsersRoutesDeps): void {
  app.get('/api/users', requireCaller(deps.internalTokenSecret), async (req, res) => {
    const userId = callerIdOf(res);
    const { q, after, limit } = validate(listUsersQuery, req.query, usersInputCodes.query);
    // A full page means there may be more: the client asks again with `after` = the last user's _id.
    const users = await listUsers(deps, userId, { search: q || undefined, after, limit });
    const reply: UserListItem[] = users.map((u) => ({
      _id: u._id,
      fullName: u.fullName,
      username: u.username,
      profilePic: u.profilePic,
      gender: u.gender,
      status: u.status,
      statusUntil: u.statusUntil,
      online: u.online,
      blocked: u.blocked,
    }));
    res.json(reply);
  });
}
