/**
 * Options every AWS SDK client of the functions is built with (the rest comes from the Lambda environment).
 *
 * `cacheMiddleware`: resolve each command's middleware stack once per client and command class instead of on every
 * `send` (smithy-typescript's handler cache, opt-in since @aws-sdk 3.649). Resolving it is a fixed CPU cost per call
 * (1-2 ms by the SDK team's own measure; about 8 % of a SendMessage's CPU here, `npm run bench -- --storm` sends one
 * per event and some twenty DynamoDB and SQS calls per new group). Safe for us: no code adds middleware to a
 * client after its first call, and a `send` with per-call options bypasses the cache.
 */
export const AWS_CLIENT_OPTIONS = { cacheMiddleware: true } as const;
