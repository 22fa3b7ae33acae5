/** Room holding every socket of a user, on every node. */
export function userRoom(userId: string): string {
  return `user:${userId}`;
}

/** Room holding every socket opened with the token `jti`, so logout can disconnect them all. */
export function jtiRoom(jti: string): string {
  return `jti:${jti}`;
}
