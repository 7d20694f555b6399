// Object refs shared by the type files (User <-> Role reference each other; refs break the import cycle).
import type { IiqRole, IiqRoleType, IiqUser, RoleAcquired } from '../../iiq/types.ts';
import { builder } from '../builder.ts';

export const UserRef = builder.objectRef<IiqUser>('User');
export const RoleRef = builder.objectRef<IiqRole>('Role');
export const RoleTypeRef = builder.objectRef<IiqRoleType>('RoleType');

export const RoleAcquisition = builder.enumType('RoleAcquisition', {
  description: 'How a user holds a role: assigned (requested / rule) or detected (IT role found on an account)',
  values: {
    ASSIGNED: { value: 'Assigned' as const },
    DETECTED: { value: 'Detected' as const },
  },
});

export const OrderDirection = builder.enumType('OrderDirection', {
  values: { ASC: { value: 'ASC' as const }, DESC: { value: 'DESC' as const } },
});

/** Assignment details carried by UserRoleEdge and RoleMemberEdge. */
export interface AssignmentEdgeFields {
  acquired: RoleAcquired;
  application: string | null;
  accountName: string | null;
}

export const StringFilter = builder.inputType('StringFilter', {
  description: 'Conditions on a string attribute; several conditions are AND-ed. Values are matched literally (never parsed as filter syntax).',
  fields: (t) => ({
    eq: t.string(),
    ne: t.string(),
    startsWith: t.string(),
    contains: t.string(),
    present: t.boolean({ description: 'true: the attribute has a value; false: it has none' }),
  }),
});

export const IntFilter = builder.inputType('IntFilter', {
  fields: (t) => ({ eq: t.int(), gt: t.int(), ge: t.int(), lt: t.int(), le: t.int() }),
});
