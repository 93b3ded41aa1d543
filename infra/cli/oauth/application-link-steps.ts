/**
 * The steps to paste a consumer key and public key into Jira Data Center's Application Link screen (reference
 * section 7, step 1: a Generic Application link with a dummy URL, then Incoming Authentication).
 */

export interface ApplicationLinkInput {
  siteUrl: string;
  consumerKey: string;
  publicKeyPem: string;
  /** Shown as the Consumer Name. */
  consumerName: string;
}

// [GUESS] The admin page path below is from memory; the reference names only the screen and its fields.
export function applicationLinkSteps({ siteUrl, consumerKey, publicKeyPem, consumerName }: ApplicationLinkInput): string[] {
  return [
    `Open ${siteUrl}/plugins/servlet/applinks/listApplicationLinks (Administration > Applications > Application links) as a Jira administrator.`,
    'Create a link to a dummy URL (e.g. https://bridge.invalid) of type "Generic Application"; leave the outgoing fields empty.',
    `Name it ${consumerName}; in its Incoming Authentication set Consumer Key = ${consumerKey}, Consumer Name = ${consumerName}, Public Key = the PEM below (every line, BEGIN and END included); save.`,
    'Then run "npx bridge oauth authorize" to get the access token.',
  ].concat(['', publicKeyPem.trimEnd()]);
}
