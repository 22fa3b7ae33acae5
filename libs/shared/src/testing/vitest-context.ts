// Same augmentation as test/global-setup.ts, so libs/shared type-checks on its own.
declare module 'vitest' {
  export interface ProvidedContext {
    mongoUrl: string;
    redisUrl: string;
    amqpUrl: string;
  }
}

export {};
