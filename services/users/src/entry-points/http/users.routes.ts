import { listUsersQuery, objectId } from '@chat/shared/api';
import { callerOf, requireCaller } from '@chat/shared/auth';
import { validate } from '@chat/shared/http';
import type { Express } from 'express';
import type { UserRepository } from '../../data-access/user.repository.js';
import { listUsers, type PresenceReader } from '../../domain/list-users.js';
import { usersErrors } from '../../errors.js';

export interface UsersRoutesDeps {
  internalTokenSecret: string;
  users: UserRepository;
  readPresence: PresenceReader;
}

export function mountUsersRoutes(app: Express, deps: UsersRoutesDeps): void {
  app.get('/api/users', requireCaller(deps.internalTokenSecret), async (req, res) => {
    const { userId } = callerOf(res);
    if (!objectId.safeParse(userId).success) throw usersErrors.invalidCaller();
    const { q } = validate(listUsersQuery, req.query, 'USERS.INVALID_QUERY');
    const users = await listUsers(deps, userId, q || undefined);
    res.json(
      users.map((u) => ({
        _id: u._id,
        fullName: u.fullName,
        username: u.username,
        profilePic: u.profilePic,
        gender: u.gender,
        status: u.status,
        online: u.online,
      })),
    );
  });
}
