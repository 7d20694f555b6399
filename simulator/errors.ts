// SCIM error envelopes exactly as IIQ writes them (reference §6): `status` is a string, scimType omitted when
// not applicable, Content-Type application/scim+json.

export const ERROR_URN = 'urn:ietf:params:scim:api:messages:2.0:Error';

export class ScimError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly scimType?: string,
  ) {
    super(detail);
  }

  toJSON(): Record<string, unknown> {
    const body: Record<string, unknown> = { schemas: [ERROR_URN] };
    if (this.scimType) body['scimType'] = this.scimType;
    body['detail'] = this.detail;
    body['status'] = String(this.status);
    return body;
  }
}

/** Verbatim IIQ 7.2 messages (SCIM server constants). */
export const errors = {
  unauthorized: () => new ScimError(401, 'User does not have access.'),
  notFound: (idOrName: string) => new ScimError(404, `Resource ${idOrName} not found.`),
  notModified: (idOrName: string) => new ScimError(304, `Resource ${idOrName} has not changed.`),
  changed: (idOrName: string) => new ScimError(412, `Resource ${idOrName} has changed.`),
  alreadyExists: (name: string) => new ScimError(409, `Resource already exists:${name}`, 'uniqueness'),
  userNameImmutable: () => new ScimError(400, "Attribute 'userName' can't be changed.", 'mutability'),
  tooMany: (count: number, max: number) =>
    new ScimError(400, `Count value : ${count} exceeds maximum allowed value : ${max}`, 'tooMany'),
  filterNotSupported: () => new ScimError(403, 'Query filter is not supported.', 'invalidFilter'),
  invalidFilter: (text: string) => new ScimError(400, `Invalid filter: ${text}`, 'invalidFilter'),
  attributeNotFound: (attr: string) => new ScimError(400, `Invalid filter, attribute not found: ${attr}`, 'invalidFilter'),
  noMapping: (attr: string) => new ScimError(400, `Invalid filter, attribute has no mapping: ${attr}`, 'invalidFilter'),
  noSearch: (attr: string) => new ScimError(400, `Invalid filter, attribute does not support search: ${attr}`, 'invalidFilter'),
  invalidBoolean: (value: string) => new ScimError(400, `Invalid boolean value: ${value}`, 'invalidValue'),
  invalidDate: (value: string) => new ScimError(400, `Invalid date time value:${value}`, 'invalidValue'),
  invalidValue: (detail: string) => new ScimError(400, detail, 'invalidValue'),
  invalidSyntax: (detail: string) => new ScimError(400, detail, 'invalidSyntax'),
};
