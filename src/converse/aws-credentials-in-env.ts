/**
 * Variables that show AWS credentials in the environment: access keys, a
 * named profile, a Bedrock API key, a web identity token (EKS), or an ECS
 * task role's credentials endpoint. An EC2 instance role and the default
 * profile of `~/.aws` leave no trace here; the SDK's default chain still
 * finds them when nothing else is set.
 */
export const AWS_CREDENTIAL_VARIABLES = [
  'AWS_ACCESS_KEY_ID',
  'AWS_PROFILE',
  'AWS_BEARER_TOKEN_BEDROCK',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
] as const;

/** Whether any of AWS_CREDENTIAL_VARIABLES is set (non-empty). */
export function hasAwsCredentials(env: Record<string, string | undefined>): boolean {
  return AWS_CREDENTIAL_VARIABLES.some((name) => (env[name] ?? '') !== '');
}
