/**
 * CDK entry point (cdk.json: `npx tsx infra/app.ts`).
 *
 * Context:
 * - `config`        path of the bridge config JSON (default in cdk.json: infra/config/example.config.json)
 * - `stackName`     CloudFormation stack name (default BacktraceJiraBridge), to deploy several bridges side by side
 * - `alarmEmail`    optional e-mail subscribed to the alarm topic (besides `settings.alarmEmail`)
 * - `alarmTopicArn` optional existing SNS topic every alarm notifies too
 * - `tracing`       `false` turns X-Ray active tracing off on every function (default: `settings.tracing`, true)
 * - `enableSourceMaps` `true` starts every function with `--enable-source-maps` (off by default: it costs cold start;
 *                    the source maps are uploaded either way). Read by BridgeFunction.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError } from '../shared/domain/config/index.ts';
import { BridgeStack } from './bridge-stack.ts';
import { loadConfigFile } from './load-config-file.ts';

const DEFAULT_CONFIG_PATH = 'infra/config/example.config.json';
const DEFAULT_STACK_NAME = 'BacktraceJiraBridge';

function optionalBoolean(app: App, key: string): boolean | undefined {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return undefined;
  // `-c tracing=false` arrives as the string "false"; cdk.json may hold a real boolean.
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new Error(`context "${key}" must be true or false, got ${JSON.stringify(value)}`);
}

function optionalString(app: App, key: string): string | undefined {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new Error(`context "${key}" must be a string, got ${JSON.stringify(value)}`);
  return value;
}

const app = new App();
const configPath = optionalString(app, 'config') ?? DEFAULT_CONFIG_PATH;

try {
  const { config } = loadConfigFile(configPath);
  new BridgeStack(app, optionalString(app, 'stackName') ?? DEFAULT_STACK_NAME, {
    config,
    alarmEmail: optionalString(app, 'alarmEmail'),
    alarmTopicArn: optionalString(app, 'alarmTopicArn'),
    tracing: optionalBoolean(app, 'tracing'),
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  // A config mistake is the admin's to fix, not a crash: print the problems and the file, no stack trace.
  console.error(
    `${error.message}\n\nFix ${configPath} (chosen with -c config=<path>; the default is set in cdk.json) and run cdk synth again.`,
  );
  process.exitCode = 1;
}
