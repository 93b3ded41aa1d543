/**
 * Corrections to the vendored OpenAPI snapshot (early 2024), merged over its `paths` and `components.schemas`:
 * - operations Atlassian added later (reference section 11), so requests to them can be validated too. Transcribed
 *   from Atlassian's later Cloud REST v2 document ("Search for issues using JQL enhanced search", operationIds keep
 *   Atlassian's spelling);
 * - operations the snapshot mis-describes: `PUT issue/{key}/assignee` documents that `null` unassigns ("If `name`
 *   or `accountId` is set to ... `null`, the issue is set to unassigned", reference section 4.1) while its `User`
 *   schema types both members as plain strings, so the documented unassign request would be refused;
 * - schemas of answers the snapshot mis-describes (used only when the sandbox checks its own answers): the
 *   changelog item `ChangeDetails` types `from`/`to`/`fromString`/`toString` as plain strings and allows no other
 *   members, while Jira writes null for an absent side and, on Cloud, `tmpFromAccountId`/`tmpToAccountId` on user
 *   fields, in REST histories as in webhooks (reference section 6.2, "the same shape in webhook `changelog.items[]`
 *   and in REST `changelog.histories[].items[]`", and the Cloud captures quoted there).
 */

const int32 = { type: 'integer', format: 'int32' } as const;
const stringList = { type: 'array', items: { type: 'string' } } as const;

const SearchAndReconcileRequestBean = {
  type: 'object',
  additionalProperties: false,
  properties: {
    expand: { type: 'string' },
    fields: stringList,
    fieldsByKeys: { type: 'boolean' },
    jql: { type: 'string' },
    maxResults: { ...int32, default: 50 },
    nextPageToken: { type: 'string' },
    properties: stringList,
    reconcileIssues: { type: 'array', items: { type: 'integer', format: 'int64' } },
  },
} as const;

const query = (name: string, schema: object) => ({ in: 'query', name, schema });

const responses = { '200': { description: 'Returned if the request is successful.' }, '400': { description: 'Returned if the JQL query is invalid.' }, '401': { description: 'Returned if the authentication credentials are incorrect or missing.' } };

/** Path items to merge into `paths` of the vendored document. */
export const supplementalPaths: Record<string, unknown> = {
  '/rest/api/2/search/jql': {
    get: {
      operationId: 'searchAndReconsileIssuesUsingJql',
      summary: 'Search for issues using JQL enhanced search (GET)',
      parameters: [
        query('jql', { type: 'string' }),
        query('nextPageToken', { type: 'string' }),
        query('maxResults', { ...int32, default: 50 }),
        query('fields', stringList),
        query('expand', { type: 'string' }),
        query('properties', stringList),
        query('fieldsByKeys', { type: 'boolean', default: false }),
        query('failFast', { type: 'boolean', default: false }),
        query('reconcileIssues', { type: 'array', items: { type: 'integer', format: 'int64' } }),
      ],
      responses,
    },
    post: {
      operationId: 'searchAndReconsileIssuesUsingJqlPost',
      summary: 'Search for issues using JQL enhanced search (POST)',
      requestBody: { required: true, content: { 'application/json': { schema: SearchAndReconcileRequestBean } } },
      responses,
    },
  },
};

/**
 * The `User` schema of the snapshot with `accountId`, `name` and `key` nullable (the operation's own description
 * says null unassigns). Read-only members are left out: they are ignored in requests.
 */
const AssigneeRequestUser = {
  type: 'object',
  additionalProperties: false,
  properties: {
    accountId: { type: 'string', maxLength: 128, nullable: true },
    name: { type: 'string', nullable: true },
    key: { type: 'string', nullable: true },
    self: { type: 'string' },
    accountType: { type: 'string', enum: ['atlassian', 'app', 'customer', 'unknown'] },
    displayName: { type: 'string' },
    emailAddress: { type: 'string' },
    active: { type: 'boolean' },
  },
} as const;

supplementalPaths['/rest/api/2/issue/{issueIdOrKey}/assignee'] = {
  put: {
    operationId: 'assignIssue',
    summary: 'Assign issue',
    parameters: [{ in: 'path', name: 'issueIdOrKey', required: true, schema: { type: 'string' } }],
    requestBody: { required: true, content: { 'application/json': { schema: AssigneeRequestUser } } },
    responses: {
      '204': { description: 'Returned if the request is successful.' },
      '400': { description: 'Returned if the user is not found, or none or more than one of name, key and accountId is given.' },
      '403': { description: 'Returned if the user does not have the necessary permission.' },
      '404': { description: 'Returned if the issue is not found.' },
    },
  },
};

const nullableString = { type: 'string', nullable: true, readOnly: true } as const;

/** Schemas to merge into `components.schemas` of the vendored document. */
export const supplementalSchemas: Record<string, unknown> = {
  ChangeDetails: {
    additionalProperties: false,
    description: 'A change item.',
    type: 'object',
    properties: {
      field: { type: 'string', readOnly: true },
      fieldId: { type: 'string', readOnly: true },
      fieldtype: { type: 'string', readOnly: true },
      from: nullableString,
      fromString: nullableString,
      to: nullableString,
      toString: nullableString,
      tmpFromAccountId: nullableString,
      tmpToAccountId: nullableString,
    },
  },
};
