import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import type { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import type { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { grant, type IamStatement } from './iam';

/** Retention periods CloudWatch Logs accepts, in days: every log group's `retentionInDays` is one of them. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** A CloudWatch log group (the provider's resource, same JSON) that grants writing to itself. */
export class LogGroup extends CloudwatchLogGroup {
  /**
   * Lets `role` create streams in this group and put events in them (the group for CreateLogStream, its
   * streams, `<arn>:log-stream:<name>`, for PutLogEvents), plus what a writer checks on the way.
   */
  grantWrite(role: IamRole, also: readonly IamStatement[] = []): IamRolePolicy {
    return grant(role, 'LogWrite', 'write-logs', [
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: [this.arn, `${this.arn}:*`],
      },
      ...also,
    ]);
  }
}
