import { avatarParams, loginBody, logoutReply, meReply, publicUserReply, signupBody } from '@chat/shared/api';
import { z } from 'zod';
import type { ApiRoute } from './api-route.js';

/** The auth service's routes. */
export const AUTH_ROUTES: readonly ApiRoute[] = [
  {
    method: 'post',
    path: '/api/auth/signup',
    operationId: 'signup',
    summary: 'Create an account and start a session',
    tag: 'auth',
    auth: false,
    body: signupBody,
    success: { status: 201, description: 'The new user; the session cookie is set', schema: publicUserReply },
    errors: [429],
    setsCookie: true,
  },
  {
    method: 'post',
    path: '/api/auth/login',
    operationId: 'login',
    summary: 'Start a session',
    tag: 'auth',
    auth: false,
    body: loginBody,
    success: { status: 200, description: 'The user; the session cookie is set', schema: publicUserReply },
    errors: [429],
    setsCookie: true,
  },
  {
    method: 'post',
    path: '/api/auth/logout',
    operationId: 'logout',
    summary: 'End the session everywhere (the token is revoked)',
    tag: 'auth',
    auth: true,
    success: { status: 200, description: 'Logged out; the cookie is cleared', schema: logoutReply },
    setsCookie: true,
  },
  {
    method: 'post',
    path: '/api/auth/logout-all',
    operationId: 'logoutAll',
    summary:
      'Sign out everywhere: every token of the caller issued until now is revoked, every socket closed',
    tag: 'auth',
    auth: true,
    success: {
      status: 200,
      description: 'Logged out on every device; the cookie is cleared',
      schema: logoutReply,
    },
    setsCookie: true,
  },
  {
    method: 'get',
    path: '/api/auth/me',
    operationId: 'getMe',
    summary: 'The signed-in user',
    tag: 'auth',
    auth: true,
    success: { status: 200, description: 'The signed-in user', schema: meReply },
  },
  {
    method: 'get',
    path: '/api/auth/avatar/{name}.svg',
    operationId: 'getAvatar',
    summary: 'A deterministic avatar picture for a name',
    tag: 'auth',
    auth: false,
    params: avatarParams,
    success: { status: 200, description: 'An SVG picture', schema: z.string(), contentType: 'image/svg+xml' },
  },
];
