// `iiqSchema`: what the connected IdentityIQ says about its resources (/Schemas, /ResourceTypes), notably the
// install's custom identity attributes and whether each can be written.
import type { IiqResourceType, IiqSchemaAttribute, IiqSchemaDoc } from '../../iiq/resource-types.ts';
import { builder } from '../builder.ts';
import { discoverSchema, type DiscoveredSchema, type UserAttributeInfo } from '../schema-discovery.ts';

const SchemaAttributeRef = builder.objectRef<IiqSchemaAttribute>('IiqSchemaAttribute');
SchemaAttributeRef.implement({
  description: 'An attribute as IdentityIQ describes it (RFC 7643 §7)',
  fields: (t) => ({
    name: t.exposeString('name'),
    type: t.string({ description: 'string, boolean, integer, decimal, dateTime, reference, complex', resolve: (a) => a.type ?? 'string' }),
    multiValued: t.exposeBoolean('multiValued'),
    mutability: t.string({ description: 'readOnly, readWrite, immutable, writeOnly', resolve: (a) => a.mutability ?? 'readWrite' }),
    returned: t.string({ description: 'always, default, request, never', resolve: (a) => a.returned ?? 'default' }),
    required: t.exposeBoolean('required'),
    subAttributes: t.field({ type: [SchemaAttributeRef], resolve: (a) => a.subAttributes }),
  }),
});

const UserAttributeRef = builder.objectRef<UserAttributeInfo>('IiqUserAttribute').implement({
  description: 'An attribute of IdentityIQ users (core, enterprise or SailPoint extension)',
  fields: (t) => ({
    name: t.exposeString('name'),
    type: t.string({ resolve: (a) => a.type ?? 'string' }),
    multiValued: t.exposeBoolean('multiValued'),
    mutability: t.string({ resolve: (a) => a.mutability ?? 'readWrite' }),
    returned: t.string({ resolve: (a) => a.returned ?? 'default' }),
    required: t.exposeBoolean('required'),
    schema: t.exposeString('schema', { description: 'the schema URN' }),
    custom: t.exposeBoolean('custom', { description: 'an install-specific identity attribute (writable through `attributes` when mutability allows)' }),
  }),
});

const SchemaDocRef = builder.objectRef<IiqSchemaDoc>('IiqSchemaDocument').implement({
  fields: (t) => ({
    id: t.exposeString('id', { description: 'schema URN' }),
    name: t.exposeString('name', { nullable: true }),
    attributes: t.field({ type: [SchemaAttributeRef], resolve: (s) => s.attributes }),
  }),
});

const ResourceTypeRef = builder.objectRef<IiqResourceType>('IiqResourceType').implement({
  fields: (t) => ({
    name: t.exposeString('name'),
    endpoint: t.exposeString('endpoint'),
    schema: t.exposeString('schema'),
    extensions: t.exposeStringList('extensions'),
  }),
});

const IiqSchemaRef = builder.objectRef<DiscoveredSchema>('IiqSchema').implement({
  description: 'The connected IdentityIQ’s /Schemas and /ResourceTypes, cached for five minutes per connection',
  fields: (t) => ({
    userAttributes: t.field({ type: [UserAttributeRef], resolve: (s) => s.userAttributes }),
    customUserAttributes: t.field({ type: [UserAttributeRef], resolve: (s) => s.userAttributes.filter((a) => a.custom) }),
    resourceTypes: t.field({ type: [ResourceTypeRef], resolve: (s) => s.resourceTypes }),
    schemas: t.field({ type: [SchemaDocRef], resolve: (s) => s.schemas }),
    readAt: t.field({ type: 'DateTime', resolve: (s) => s.readAt }),
  }),
});

builder.queryField('iiqSchema', (t) =>
  t.field({
    type: IiqSchemaRef,
    description: 'What this IdentityIQ says about its resources and attributes',
    resolve: (_root, _args, ctx) => discoverSchema(ctx.conn.client, ctx.signal ? { signal: ctx.signal } : {}),
  }),
);
