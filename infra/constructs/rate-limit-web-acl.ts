import { CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

export interface RateLimitWebAclProps {
  /** Requests one source IP may make in any 5-minute window before WAF blocks it (AWS's minimum is 10). */
  readonly requestsPer5MinutesPerIp: number;
  /**
   * `REGIONAL` for an API Gateway REST API stage, an Application Load Balancer, AppSync or Cognito in the stack's
   * region; `CLOUDFRONT` for a CloudFront distribution (the stack must then be in us-east-1).
   * @default 'REGIONAL'
   */
  readonly scope?: 'REGIONAL' | 'CLOUDFRONT';
  /**
   * ARNs of REGIONAL resources to protect. Not an HTTP API (API Gateway v2): WAF cannot be associated with one.
   * @default - none: attach the ACL yourself (its `webAclArn`) to what fronts the API
   */
  readonly associateWith?: readonly string[];
}

/**
 * A WAF web ACL that blocks a source IP sending more than `requestsPer5MinutesPerIp` requests in 5 minutes and
 * allows everything else, with CloudWatch metrics and sampled requests on.
 *
 * The bridge's API is an HTTP API (API Gateway v2), which AWS WAF cannot be attached to; the stack creates this ACL
 * only when `settings.waf.enabled` is set, for a CloudFront distribution or load balancer an admin puts in front of
 * the API (README "Throttling"). The per-route throttling on the API itself needs no WAF.
 */
export class RateLimitWebAcl extends Construct {
  readonly webAcl: CfnWebACL;
  readonly webAclArn: string;

  constructor(scope: Construct, id: string, props: RateLimitWebAclProps) {
    super(scope, id);
    const metric = (metricName: string) => ({ cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName });
    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      scope: props.scope ?? 'REGIONAL',
      defaultAction: { allow: {} },
      description: 'Backtrace-Jira bridge: blocks a source IP over its 5-minute request budget',
      visibilityConfig: metric('BridgeWebAcl'),
      rules: [
        {
          name: 'RateLimitPerIp',
          priority: 0,
          action: { block: {} },
          statement: { rateBasedStatement: { limit: props.requestsPer5MinutesPerIp, aggregateKeyType: 'IP' } },
          visibilityConfig: metric('BridgeRateLimitPerIp'),
        },
      ],
    });
    this.webAclArn = this.webAcl.attrArn;
    (props.associateWith ?? []).forEach((resourceArn, index) => {
      new CfnWebACLAssociation(this, `Association${index}`, { resourceArn, webAclArn: this.webAclArn });
    });
  }
}
