/**
 * What `@aws-sdk/credential-provider-node` (the SDK clients' default credential chain) resolves to inside the
 * function bundles (see BUNDLE_ALIASES in ../bundle-options.ts): the environment, the one source that answers on
 * Lambda, which hands every function its role's session credentials in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
 * AWS_SESSION_TOKEN. The chain's other sources (SSO, shared INI files, web identity, credential process, container
 * and instance metadata, console login) and the STS/SSO/sign-in clients they carry are ~95 KiB of every bundle.
 * Local runs (`npm start`, the tests) are not bundled and keep the full chain.
 */
export { fromEnv as defaultProvider } from '@aws-sdk/credential-provider-env';
