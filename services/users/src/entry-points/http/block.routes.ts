import { type BlockReply, objectId } from '@chat/shared/api';
import { requireCaller } from '@chat/shared/auth';
import { validate } from '@chat/shared/http';
import type { Express, Request, Response } from 'express';
import { type SetBlockDeps, setBlock } from '../../domain/set-block.js';
import { usersInputCodes } from '../../errors.js';
import { callerIdOf } from './caller.js';

export interface BlockRoutesDeps extends SetBlockDeps {
  internalTokenSecret: string;
}

export function mountBlockRoutes(app: Express, deps: BlockRoutesDeps): void {
  const answer = (blocked: boolean) => async (req: Request, res: Response) => {
    const callerId = callerIdOf(res);
    const targetId = validate(objectId, req.params.id, usersInputCodes.id);
    const result = await setBlock(deps, callerId, targetId, blocked);
    const reply: BlockReply = { userId: result.userId, blocked: result.blocked };
    res.json(reply);
  };
  const auth = requireCaller(deps.internalTokenSecret);
  app.post('/api/users/block/:id', auth, answer(true));
  app.delete('/api/users/block/:id', auth, answer(false));
}
