/** The gateway's upstream variables, each with the service it names (compose and Kubernetes wire them alike). */
export const GATEWAY_UPSTREAMS = [
  ['AUTH_URL', 'auth'],
  ['USERS_URL', 'users'],
  ['MESSAGES_URL', 'messages'],
  ['REALTIME_URLS', 'realtime'],
] as const;
