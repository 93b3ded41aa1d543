import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { BridgeStack } from '../../infra/bridge-stack.ts';
import { parseConfig } from '../../shared/domain/config/index.ts';
import { configDocument, integrationDocument, twoWaySync } from './bridge-config.factory.ts';

interface ValidationReport {
  pluginReports: {
    pluginName: string;
    conclusion: string;
    violations: { ruleName: string }[];
    suppressedViolations?: { ruleName: string; reason: string; violatingConstructs: { constructPath: string }[] }[];
  }[];
}

/** Synthesise the fullest variant of the stack (EventBridge rule, alarm e-mail, Jira webhook secret, the WAF web ACL) under the AwsSolutions rules. */
function synthWithNag(): ValidationReport {
  const outdir = mkdtempSync(join(tmpdir(), 'bridge-nag-'));
  const app = new App({ outdir, builtinCloudFormationValidation: false, context: { 'aws:cdk:bundling-stacks': [] } });
  const document = configDocument({ settings: { eventBusName: 'backtrace', waf: { enabled: true } }, integrations: [integrationDocument('jira-prod', twoWaySync('jira-prod'))] });
  new BridgeStack(app, 'NagBridge', { config: parseConfig(document, 'test config'), alarmEmail: 'ops@acme.com' });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  try {
    // Synthesis throws (with the findings in the message) on any unacknowledged error.
    const assembly = app.synth();
    return JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8')) as ValidationReport;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

describe('cdk-nag AwsSolutions checks', () => {
  it('finds no unacknowledged violation', () => {
    // Prepare
    let report: ValidationReport | undefined;

    // Act
    expect(() => {
      report = synthWithNag();
    }).not.toThrow();

    // Assess
    const awsSolutions = report?.pluginReports.find((plugin) => plugin.pluginName === 'AwsSolutions');
    expect(awsSolutions?.conclusion).toBe('success');
    expect(awsSolutions?.violations).toEqual([]);
  });

  it('acknowledges only the Node.js 22 pin, the two webhook routes (Basic auth, HMAC signature) and X-Ray\'s wildcard write actions, each with a reason', () => {
    // Prepare
    const report = synthWithNag();

    // Act
    const suppressed = report.pluginReports.flatMap((plugin) => plugin.suppressedViolations ?? []);

    // Assess
    expect(
      suppressed.flatMap((violation) => violation.violatingConstructs.map((construct) => `${violation.ruleName} ${construct.constructPath}`)).sort(),
    ).toEqual([
      'AwsSolutions-APIG4 NagBridge/Api/POST--backtrace--events/Resource',
      'AwsSolutions-APIG4 NagBridge/Api/POST--jira--webhook/Resource',
      // X-Ray's PutTraceSegments/PutTelemetryRecords take no resource ARN: active tracing needs Resource "*".
      'AwsSolutions-IAM5[Resource::*] NagBridge/BacktraceEvents/SyncToJiraRole/DefaultPolicy/Resource',
      'AwsSolutions-IAM5[Resource::*] NagBridge/IngestBacktraceEventsRole/DefaultPolicy/Resource',
      'AwsSolutions-IAM5[Resource::*] NagBridge/JiraChanges/SyncToBacktraceRole/DefaultPolicy/Resource',
      'AwsSolutions-IAM5[Resource::*] NagBridge/PollBacktraceRole/DefaultPolicy/Resource',
      'AwsSolutions-IAM5[Resource::*] NagBridge/ReceiveJiraWebhookRole/DefaultPolicy/Resource',
      'AwsSolutions-L1 NagBridge/BacktraceEvents/SyncToJira/Resource',
      'AwsSolutions-L1 NagBridge/IngestBacktraceEvents/Resource',
      'AwsSolutions-L1 NagBridge/JiraChanges/SyncToBacktrace/Resource',
      'AwsSolutions-L1 NagBridge/PollBacktrace/Resource',
      'AwsSolutions-L1 NagBridge/ReceiveJiraWebhook/Resource',
    ]);
    for (const violation of suppressed) expect(violation.reason.length).toBeGreaterThan(40);
  });
});
