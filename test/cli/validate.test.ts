/**
 * `bridge validate` against the Jira sandbox (Cloud and Data Center dialects, requests checked against the OpenAPI
 * document) and the Backtrace sandbox, as real servers on loopback.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startJiraFake, type FakeField, type FakeProject, type JiraFake } from '../../infra/local/sandboxes/jira/jira-fake.ts';
import { startBacktraceFake, type BacktraceFake } from '../../infra/local/sandboxes/backtrace/backtrace-fake.ts';
import { localIntegration, localSecrets } from '../e2e/support/stack-files.ts';
import { runBridge, tempFiles } from './support/run-bridge.ts';

type Json = Record<string, any>;

/** More fields than one createmeta page holds (200), so the required one is only found on the second page. */
const FILLERS: FakeField[] = Array.from({ length: 230 }, (_, i) => ({ id: `customfield_${20000 + i}`, name: `Filler ${i}`, schema: { type: 'string' } }));
const FIELDS: FakeField[] = [
  ...FILLERS,
  { id: 'customfield_10010', name: 'Severity', schema: { type: 'option' }, allowedValues: ['Critical', 'Minor'] },
  { id: 'customfield_10031', name: 'Team', schema: { type: 'string' } },
  { id: 'customfield_10032', name: 'Team', schema: { type: 'string' } },
];
const PROJECTS: FakeProject[] = [
  {
    id: '10000',
    key: 'CRASH',
    issueTypes: [
      { id: '10004', name: 'Bug', requiredFields: ['Severity'] },
      // A narrow create screen: Severity is not on it.
      { id: '10002', name: 'Task', screenFields: ['description', 'labels', 'environment'] },
    ],
  },
];

const checkOf = (run: { json(): any }, name: string): Json | undefined =>
  (run.json().integrations[0].checks as Json[]).find((row) => row.check === name);
const failures = (run: { json(): any }): Json[] => (run.json().integrations[0].checks as Json[]).filter((row) => row.status === 'fail');

const JIRAS = [
  { deployment: 'Cloud', title: 'Cloud' },
  { deployment: 'Server', title: 'Data Center 9' },
  // Before 8.4 only the old bulk createmeta exists (reference section 2.1).
  { deployment: 'Server', title: 'Data Center 8.3', serverVersion: '8.3.0' },
] as const;

for (const { deployment, title, ...version } of JIRAS) {
  const legacy = 'serverVersion' in version;
  describe(`Command: validate (Jira ${title})`, () => {
    let jira: JiraFake;
    let backtrace: BacktraceFake;
    const files = tempFiles();
    const write = (jiraChanges: Json, extra: Json = {}) => {
      const base = localIntegration();
      const integration = { ...base, ...extra, jira: { ...base.jira, apiUrl: jira.apiUrl, ...jiraChanges }, backtrace: { ...base.backtrace, url: backtrace.url } };
      return files.write(`config-${Math.random().toString(36).slice(2)}.json`, { integrations: [integration] });
    };
    let secretsFile: string;
    const validate = (config: string, ...more: string[]) => runBridge(['--config', config, '--secrets', secretsFile, ...more, 'validate']);

    beforeAll(async () => {
      [jira, backtrace] = await Promise.all([startJiraFake({ deployment, ...version, fields: FIELDS, projects: PROJECTS, openApiValidation: true }), startBacktraceFake()]);
      secretsFile = files.write('secrets.json', localSecrets());
    });
    afterAll(async () => {
      await Promise.all([jira.close(), backtrace.close()]);
      files.remove();
    });

    it('passes a config that fills every required field, reading createmeta page by page', async () => {
      // Prepare
      const config = write({ customFields: { Environment: 'Environment: $environment', Severity: 'Critical' } });
      jira.reset();

      // Act
      const text = await validate(config);
      const json = await validate(config, '--json');

      // Assess
      expect(text.code, text.stdout + text.stderr).toBe(0);
      expect(text.stdout).toContain('All checks passed.');
      expect(text.stdout).toMatch(/PASS {2}jira\.credentials: GET myself: authenticated as /);
      expect(text.stdout).toContain(`PASS  jira.deployment: ${deployment === 'Cloud' ? 'Jira Cloud' : 'Jira Data Center / Server'}`);
      expect(text.stdout).toContain('PASS  jira.required: every required field of CRASH / Bug is set or defaulted (');
      expect(text.stdout).toContain('customfield_10010');
      expect(json.json()).toMatchObject({ ok: true, integrations: [{ integration: 'local-jira', ok: true }] });
      expect(Object.keys(json.json().integrations[0].checks[0]).sort()).toEqual(['check', 'detail', 'status']);
      for (const name of ['backtrace.query', 'secret[local/jira-api-token]', 'integrations[0].jira.issueType', 'integrations[0].sync.stateMap.toJira.resolved']) {
        expect(checkOf(json, name)?.status, name).toBe('pass');
      }
      const pages = jira.requests.filter((request) => request.path === '/rest/api/2/issue/createmeta/CRASH/issuetypes/10004').map((request) => request.query.startAt);
      const bulk = jira.requests.filter((request) => request.path === '/rest/api/2/issue/createmeta');
      if (legacy) {
        // The paged form answered 404, serverInfo said 8.3: the bulk form, once per run, with the fields expanded.
        expect(checkOf(json, 'integrations[0].jira.projectKey')?.detail).toContain('(createmeta, legacy expand form)');
        expect(pages).toEqual([]);
        expect(bulk.map((request) => request.query)).toEqual([{ projectKeys: 'CRASH', expand: 'projects.issuetypes.fields' }, { projectKeys: 'CRASH', expand: 'projects.issuetypes.fields' }]);
      } else {
        // The screen has more than 200 fields: two pages, as Jira serves them.
        expect(checkOf(json, 'integrations[0].jira.projectKey')?.detail).toContain('(createmeta, paged endpoints)');
        expect(pages.slice(0, 2)).toEqual(['0', '200']);
        expect(bulk).toEqual([]);
      }
      expect(jira.requests.every((request) => request.method === 'GET')).toBe(true);
      expect(jira.validationErrors).toEqual([]);
    });

    it('fails when a required custom field is not filled, naming the field and jira.customFields', async () => {
      // Prepare
      const config = write({ customFields: { Environment: 'Environment: $environment' } });

      // Act
      const run = await validate(config, '--json');

      // Assess
      expect(run.code).toBe(1);
      expect(failures(run)).toEqual([
        {
          check: 'jira.required[customfield_10010]',
          status: 'fail',
          detail: 'customfield_10010 ("Severity") is required on the create screen of CRASH / Bug and the bridge does not set it',
          fix: 'give it a value in integrations[0].jira.customFields, e.g. "Severity": "$<attribute>"',
        },
      ]);
    });

    it('lists the ids of an ambiguous field name', async () => {
      // Prepare
      const config = write({ customFields: { Severity: 'Critical', Team: 'core' } });

      // Act
      const run = await validate(config);

      // Assess
      expect(run.code).toBe(1);
      expect(run.stdout).toContain('FAIL  integrations[0].jira.customFields["Team"]: several Jira fields are named "Team": customfield_10031 ("Team"), customfield_10032 ("Team"); use the id of the one you mean');
    });

    it('fails a field that is not on the create screen of the issue type', async () => {
      // Prepare
      const config = write({ issueType: 'Task', customFields: { Severity: 'Critical' } });

      // Act
      const run = await validate(config, '--json');

      // Assess
      expect(run.code).toBe(1);
      expect(checkOf(run, 'integrations[0].jira.customFields["Severity"].screen')).toMatchObject({
        status: 'fail',
        detail: expect.stringContaining('customfield_10010 ("Severity") is not on the create screen of CRASH / Task'),
        fix: 'add "Severity" to the create screen of CRASH / Task in Jira, or change integrations[0].jira.customFields',
      });
    });

    it('fails a list template for a one-value field, an unknown issue type and a Fix Versions field that holds no versions', async () => {
      // Prepare
      const listIntoOption = write({ customFields: { Severity: 'Critical,Minor' } });
      const noIssueType = write({ issueType: 'Epic' });
      const badVersions = write({ customFields: { Severity: 'Critical' } }, { fixVersions: { enabled: true, jiraField: 'Severity' } });

      // Act
      const [list, type, versions] = await Promise.all([validate(listIntoOption, '--json'), validate(noIssueType, '--json'), validate(badVersions, '--json')]);

      // Assess
      expect(checkOf(list, 'integrations[0].jira.customFields["Severity"].template')).toMatchObject({ status: 'fail', detail: expect.stringContaining('is a comma-separated list (2 values) but customfield_10010 ("Severity") holds one option') });
      expect(checkOf(type, 'integrations[0].jira.issueType')).toMatchObject({ status: 'fail', detail: 'project CRASH has no issue type "Epic"; it has "Bug", "Task"' });
      expect(checkOf(versions, 'integrations[0].fixVersions.jiraField')).toMatchObject({ status: 'fail', detail: expect.stringContaining('integrations[0].fixVersions.jiraField') });
      expect([list.code, type.code, versions.code]).toEqual([1, 1, 1]);
    });

    it('fails the credentials row with Jira\'s answer and skips the rest when the token is wrong', async () => {
      // Prepare
      const config = write({ customFields: { Severity: 'Critical' } });
      const wrongSecrets = files.write('wrong-secrets.json', { ...localSecrets(), 'local/jira-api-token': 'not-the-token' });

      // Act
      const run = await runBridge(['--config', config, '--secrets', wrongSecrets, 'validate']);

      // Assess
      expect(run.code).toBe(1);
      expect(run.stdout).toContain('FAIL  jira.credentials: Jira rejected the credentials');
      expect(run.stdout).toContain('SKIP  jira: further Jira checks skipped until GET myself succeeds');
      expect(run.stdout).not.toContain('not-the-token');
    });
  });
}
