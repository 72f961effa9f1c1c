// The two error families of IAM Identity Center, shaped the way the SDK decodes them
// (aws-sso-api.md §4): the class is chosen by `x-amzn-errortype`, never by the OAuth `error` field,
// and the status drives the SDK's retry decision, so it must be the modeled one.

/** SSO OIDC errors: modeled status, OAuth-style body `{error, error_description}`, no `message`. */
const OIDC_ERRORS = {
  AccessDeniedException: { status: 400, error: 'access_denied' },
  AuthorizationPendingException: { status: 400, error: 'authorization_pending' },
  ExpiredTokenException: { status: 400, error: 'expired_token' },
  InternalServerException: { status: 500, error: 'server_error' },
  InvalidClientException: { status: 401, error: 'invalid_client' },
  InvalidClientMetadataException: { status: 400, error: 'invalid_client_metadata' },
  InvalidGrantException: { status: 400, error: 'invalid_grant' },
  InvalidRequestException: { status: 400, error: 'invalid_request' },
  InvalidScopeException: { status: 400, error: 'invalid_scope' },
  SlowDownException: { status: 400, error: 'slow_down' },
  UnauthorizedClientException: { status: 400, error: 'unauthorized_client' },
  UnsupportedGrantTypeException: { status: 400, error: 'unsupported_grant_type' },
} as const;

export type OidcErrorShape = keyof typeof OIDC_ERRORS;

export class OidcError extends Error {
  readonly shape: OidcErrorShape;
  readonly description: string;
  constructor(shape: OidcErrorShape, description: string) {
    super(`${shape}: ${description}`);
    this.shape = shape;
    this.description = description;
  }

  get status(): number {
    return OIDC_ERRORS[this.shape].status;
  }

  /** Header value as real AWS sends it (the `:http://…` suffix is stripped by the SDK). */
  get errorTypeHeader(): string {
    return `${this.shape}:http://internal.amazon.com/coral/com.amazonaws.sso.oidc/`;
  }

  get body(): { error: string; error_description: string } {
    return { error: OIDC_ERRORS[this.shape].error, error_description: this.description };
  }
}

/**
 * SSO portal errors: body `{message, __type}`. ForbiddenException is not in the SDK's model, but it
 * is what the real portal answers for a role the user is not assigned ("No access"), so the SDK
 * surfaces it as SSOServiceException with name "ForbiddenException".
 */
const PORTAL_ERRORS = {
  InvalidRequestException: 400,
  UnauthorizedException: 401,
  ForbiddenException: 403,
  ResourceNotFoundException: 404,
  TooManyRequestsException: 429,
} as const;

export type PortalErrorShape = keyof typeof PORTAL_ERRORS;

export class PortalError extends Error {
  readonly shape: PortalErrorShape;
  constructor(shape: PortalErrorShape, message: string) {
    super(message);
    this.shape = shape;
  }

  get status(): number {
    return PORTAL_ERRORS[this.shape].valueOf();
  }

  get errorTypeHeader(): string {
    return this.shape;
  }

  get body(): { message: string; __type: string } {
    return { message: this.message, __type: `com.amazonaws.switchboard.portal#${this.shape}` };
  }
}

/** The portal's answer to a missing, unknown, expired or logged-out access token. */
export function sessionInvalid(): PortalError {
  return new PortalError('UnauthorizedException', 'Session token not found or invalid');
}
