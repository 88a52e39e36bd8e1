import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface AlarmTopicProps {
  /** Email address subscribed to alarm and recovery notifications. */
  readonly email: string;
}

/**
 * An SNS topic for alarm notifications with an email subscription. The topic is encrypted with
 * its own customer managed key because CloudWatch cannot publish to a topic encrypted with the
 * AWS managed SNS key (its key policy cannot be changed to let CloudWatch use it).
 */
export class AlarmTopic extends Construct {
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(props.email)) {
      throw new Error(`alarm email is not an email address: ${props.email}`);
    }

    const key = new kms.Key(this, 'Key', {
      description: 'Encrypts the bucket-status alarm notification topic',
      enableKeyRotation: true,
      // Only protects notifications in transit through SNS; nothing stored needs it later.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    // CloudWatch publishes alarm state changes as itself; SNS then needs it to use the key.
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );

    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'bucket-status alarms',
      masterKey: key,
      enforceSSL: true,
    });
    this.topic.addSubscription(new EmailSubscription(props.email));
    Validations.of(this.topic).acknowledge({
      id: 'Serverless-SNSRedrivePolicy',
      reason:
        'The only subscription is an operator email. A dead-letter queue would hold undeliverable alarm emails nobody reprocesses; the alarm state itself stays in CloudWatch.',
    });
  }
}
