import { loginBody, type MeReply, type PublicUserReply, signupBody } from '@chat/shared/api';
import { callerOf, requireCaller, signUserToken, USER_TOKEN, userTokenCookie } from '@chat/shared/auth';
import { validate } from '@chat/shared/http';
import { type Response, Router } from 'express';
import type { Config } from '../../config.js';
import type { UserRecord } from '../../data-access/user.repository.js';
import { getMe } from '../../domain/get-me.js';
import { login } from '../../domain/login.js';
import { type LogoutDeps, logout, logoutEverywhere } from '../../domain/logout.js';
import type { SignupDeps } from '../../domain/signup.js';
import { signup } from '../../domain/signup.js';
import { authInputCodes } from '../../errors.js';

export interface AuthRoutesDeps extends SignupDeps, LogoutDeps {
  config: Pick<Config, 'NODE_ENV' | 'JWT_SECRET' | 'INTERNAL_TOKEN_SECRET'>;
  /** When a new token of the user says it was issued (after their last "sign out everywhere"). */
  issueTime: (userId: string) => Promise<Date>;
}

function publicUser(user: UserRecord): PublicUserReply {
  return { _id: user._id, fullName: user.fullName, username: user.username, profilePic: user.profilePic };
}

export function createAuthRouter(deps: AuthRoutesDeps): Router {
  const { config } = deps;
  const cookieOptions = userTokenCookie({ production: config.NODE_ENV === 'production' });
  const startSession = async (res: Response, userId: string) => {
    const { token } = signUserToken(userId, config.JWT_SECRET, await deps.issueTime(userId));
    res.cookie(USER_TOKEN.cookieName, token, cookieOptions);
  };
  // Same attributes as when it was set, or the browser keeps the old cookie.
  const endSession = (res: Response) =>
    res.cookie(USER_TOKEN.cookieName, '', { ...cookieOptions, maxAge: 0 });
  const router = Router();

  router.post('/signup', async (req, res) => {
    const input = validate(signupBody, req.body, authInputCodes.body);
    const user = await signup(input, deps);
    await startSession(res, user._id);
    res.status(201).json(publicUser(user));
  });

  router.post('/login', async (req, res) => {
    const input = validate(loginBody, req.body, authInputCodes.body);
    const user = await login(input, deps);
    await startSession(res, user._id);
    res.status(200).json(publicUser(user));
  });

  router.post('/logout', requireCaller(config.INTERNAL_TOKEN_SECRET), async (_req, res) => {
    await logout(callerOf(res), deps);
    endSession(res);
    res.status(200).json({ message: 'Logged out successfully' });
  });

  router.post('/logout-all', requireCaller(config.INTERNAL_TOKEN_SECRET), async (_req, res) => {
    await logoutEverywhere(callerOf(res), deps);
    endSession(res);
    res.status(200).json({ message: 'Logged out everywhere' });
  });

  router.get('/me', requireCaller(config.INTERNAL_TOKEN_SECRET), async (_req, res) => {
    const user = await getMe(callerOf(res).userId, deps);
    const me: MeReply = { ...publicUser(user), gender: user.gender, createdAt: user.createdAt.toISOString() };
    res.status(200).json(me);
  });

  return router;
}
