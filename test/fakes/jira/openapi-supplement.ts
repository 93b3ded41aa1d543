/**
 * Operations Atlassian added after the vendored OpenAPI snapshot (early 2024, reference section 11), so requests to
 * them can be validated too. Transcribed from Atlassian's later Cloud REST v2 document ("Search for issues using JQL
 * enhanced search", operationIds keep Atlassian's spelling).
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
