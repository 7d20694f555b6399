// OpenAPI 3 document of the unified REST face, served at /unified/openapi.json.
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const nullable = (type: string, extra: Record<string, unknown> = {}) => ({ type, nullable: true, ...extra });

const errorResponses = {
  '400': { description: 'Bad request (invalid limit, cursor or filter)', content: { 'application/json': { schema: ref('Error') } } },
  '401': { description: 'Missing or invalid API key', content: { 'application/json': { schema: ref('Error') } } },
  '404': { description: 'No such resource, or a connection of another tenant', content: { 'application/json': { schema: ref('Error') } } },
  '502': { description: 'IdentityIQ refused or answered badly (is_remote_error: true)', content: { 'application/json': { schema: ref('Error') } } },
  '503': { description: 'IdentityIQ unavailable, or the membership index not built yet', content: { 'application/json': { schema: ref('Error') } } },
};

const pageOf = (item: string) => ({
  type: 'object',
  required: ['result', 'next_cursor', 'prev_cursor', 'result_count'],
  properties: { result: { type: 'array', items: ref(item) }, next_cursor: nullable('string'), prev_cursor: nullable('string'), result_count: { type: 'integer' } },
});

const param = (name: string, description: string, schema: Record<string, unknown> = { type: 'string' }, where = 'query', required = false) => ({ name, in: where, required, description, schema });
const common = [
  param('X-Connection-Id', 'Connection to use; optional when the tenant has exactly one', { type: 'string' }, 'header'),
  param('include_remote_data', 'Add the IdentityIQ SCIM resource as remote_data', { type: 'boolean' }),
];
const paging = [param('limit', 'Page size (capped by the server maximum)', { type: 'integer', minimum: 1 }), param('next_cursor', 'Cursor from a previous page')];
const id = (what: string) => param('id', `${what} id`, { type: 'string' }, 'path', true);
const ok = (schema: unknown, description: string) => ({ '200': { description, content: { 'application/json': { schema } } }, ...errorResponses });

export const UNIFIED_OPENAPI = {
  openapi: '3.0.3',
  info: {
    title: 'iiq-graph unified user directory',
    version: '1.0.0',
    description: 'SailPoint IdentityIQ users and roles in a unified, snake_case shape with cursor pagination. Authenticate with `Authorization: Bearer <API key>`.',
  },
  servers: [{ url: '/' }],
  security: [{ bearer: [] }],
  paths: {
    '/unified/user-directory/users': {
      get: {
        operationId: 'listUsers', summary: 'List users (userName order)',
        parameters: [...common, ...paging,
          param('email', 'Exact e-mail'), param('username', 'Exact user name'),
          param('updated_after', 'Changed after this ISO-8601 date-time', { type: 'string', format: 'date-time' }),
          param('role_id', 'Holders of this role (from the membership index; not combinable with the other filters)')],
        responses: ok(pageOf('User'), 'A page of users'),
      },
    },
    '/unified/user-directory/users/{id}': { get: { operationId: 'getUser', summary: 'One user', parameters: [id('User'), ...common], responses: ok(ref('User'), 'The user') } },
    '/unified/user-directory/users/{id}/roles': {
      get: { operationId: 'listUserRoles', summary: 'Roles a user holds', parameters: [id('User'), ...common, ...paging], responses: ok(pageOf('Role'), 'A page of roles') },
    },
    '/unified/user-directory/roles': { get: { operationId: 'listRoles', summary: 'List roles (name order)', parameters: [...common, ...paging], responses: ok(pageOf('Role'), 'A page of roles') } },
    '/unified/user-directory/roles/{id}': { get: { operationId: 'getRole', summary: 'One role', parameters: [id('Role'), ...common], responses: ok(ref('Role'), 'The role') } },
    '/unified/user-directory/roles/{id}/members': {
      get: { operationId: 'listRoleMembers', summary: 'Users holding a role', parameters: [id('Role'), ...common, ...paging], responses: ok(pageOf('User'), 'A page of users') },
    },
  },
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'A tenant API key (iiqg_...)' } },
    schemas: {
      User: {
        type: 'object',
        required: ['id', 'username', 'first_name', 'last_name', 'name', 'emails', 'status', 'roles', 'created_at', 'updated_at'],
        properties: {
          id: { type: 'string' }, username: { type: 'string' }, first_name: nullable('string'), last_name: nullable('string'), name: nullable('string'),
          emails: { type: 'array', items: { type: 'object', required: ['email', 'is_primary'], properties: { email: { type: 'string' }, is_primary: { type: 'boolean' } } } },
          status: nullable('string', { enum: ['active', 'inactive', null] }),
          roles: { type: 'array', items: { type: 'object', required: ['id', 'name', 'acquired'], properties: { id: { type: 'string' }, name: nullable('string'), acquired: { type: 'string', enum: ['Assigned', 'Detected'] } } } },
          created_at: nullable('string', { format: 'date-time' }), updated_at: nullable('string', { format: 'date-time' }),
          remote_data: { type: 'object', additionalProperties: true, description: 'Only with include_remote_data=true' },
        },
      },
      Role: {
        type: 'object',
        required: ['id', 'name', 'description', 'type', 'status', 'created_at', 'updated_at'],
        properties: {
          id: { type: 'string' }, name: { type: 'string' }, description: nullable('string'), type: nullable('string'),
          status: nullable('string', { enum: ['active', 'inactive', null] }),
          created_at: nullable('string', { format: 'date-time' }), updated_at: nullable('string', { format: 'date-time' }),
          remote_data: { type: 'object', additionalProperties: true, description: 'Only with include_remote_data=true' },
        },
      },
      Error: {
        type: 'object',
        required: ['statusCode', 'error', 'message', 'details', 'is_remote_error'],
        properties: {
          statusCode: { type: 'integer' }, error: { type: 'string' }, message: { type: 'string' },
          details: { type: 'object', additionalProperties: true, properties: { code: { type: 'string' } } }, is_remote_error: { type: 'boolean' },
        },
      },
    },
  },
} as const;
