import { Duration, Stack } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnPolicy, CfnRoleAlias } from 'aws-cdk-lib/aws-iot';
import type { IStream } from 'aws-cdk-lib/aws-kinesis';
import { Construct } from 'constructs';

export interface DeviceCredentialsProps {
  readonly stream: IStream;
  /** Lifetime of the temporary credentials a panel PC gets. @default 1 hour */
  readonly credentialDuration?: Duration;
}

/**
 * Panel PCs hold no long-lived AWS keys: each has an X.509 certificate registered in AWS IoT,
 * and trades it (mTLS) at the IoT credentials provider for short-lived credentials of the role
 * behind this role alias. The role may only put records on the telemetry stream; the IoT
 * policy (attach it to each device certificate) may only assume that role alias.
 */
export class DeviceCredentials extends Construct {
  public readonly role: Role;
  public readonly roleAlias: CfnRoleAlias;
  public readonly iotPolicy: CfnPolicy;

  constructor(scope: Construct, id: string, props: DeviceCredentialsProps) {
    super(scope, id);
    this.role = new Role(this, 'DeviceRole', {
      assumedBy: new ServicePrincipal('credentials.iot.amazonaws.com'),
      description:
        'Panel PCs (via the IoT credentials provider): put telemetry records, nothing else',
      maxSessionDuration: Duration.hours(1),
    });
    // PutRecord and PutRecords only (grantWrite would add ListShards and DescribeStream too).
    props.stream.grant(this.role, 'kinesis:PutRecord', 'kinesis:PutRecords');
    this.roleAlias = new CfnRoleAlias(this, 'RoleAlias', {
      roleArn: this.role.roleArn,
      credentialDurationSeconds: (props.credentialDuration ?? Duration.hours(1)).toSeconds(),
    });
    const stack = Stack.of(this);
    this.iotPolicy = new CfnPolicy(this, 'DevicePolicy', {
      policyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'iot:AssumeRoleWithCertificate',
            Resource: stack.formatArn({
              service: 'iot',
              resource: 'rolealias',
              resourceName: this.roleAlias.ref,
            }),
            // Only a certificate attached to the thing it names (the x-amzn-iot-thingname
            // header) gets credentials: a certificate cannot borrow another device's name.
            Condition: { Bool: { 'iot:Connection.Thing.IsAttached': 'true' } },
          },
        ],
      },
    });
  }
}
