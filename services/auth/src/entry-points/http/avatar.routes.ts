import { Router } from 'express';
import { isValidAvatarName, renderAvatarSvg } from '../../domain/avatar.js';
import { authErrors } from '../../errors.js';

const SVG_SUFFIX = '.svg';

/** Public: `GET /avatar/<name>.svg`, a deterministic avatar, so profile pictures work with no internet. */
export function createAvatarRouter(): Router {
  const router = Router();
  router.get('/avatar/:file', (req, res) => {
    const file = req.params.file;
    const name = file.endsWith(SVG_SUFFIX) ? file.slice(0, -SVG_SUFFIX.length) : '';
    if (!isValidAvatarName(name)) throw authErrors.badAvatarName();
    res
      .status(200)
      .type('image/svg+xml')
      // The picture depends only on the name: cache it for a day everywhere.
      .set('Cache-Control', 'public, max-age=86400')
      // An SVG opened directly must not run anything.
      .set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'")
      .set('X-Content-Type-Options', 'nosniff')
      .send(renderAvatarSvg(name));
  });
  return router;
}
