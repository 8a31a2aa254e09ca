/** An IAM or STS principal's ARN: the account id, and the role, user or session name. */
const PRINCIPAL_ARN = /arn:aws[a-z-]*:(?:sts|iam)::\d{12}:[^\s,;'"]+/g;
/** The account id inside any other ARN (`arn:aws:bedrock:us-east-1:123456789012:inference-profile/…`). */
const ACCOUNT_IN_ARN = /(arn:aws[a-z-]*:[a-z0-9-]*:[a-z0-9-]*:)\d{12}(?=:)/g;

/**
 * An AWS error message as a tenant may see it: without the fleet's AWS
 * account id and the name of the role or user it runs as (an AccessDenied
 * message names both). What was refused, and on which model, stays.
 */
export function redactAwsIdentity(message: string): string {
  return message.replace(PRINCIPAL_ARN, "the fleet's AWS identity").replace(ACCOUNT_IN_ARN, '$1<account>');
}
