// The product's own data: its applications, their permissions, and the policy saying which IdentityIQ
// roles (by role name, the key that survives IIQ re-imports) grant each permission.

export interface AppPermissionDef {
  /** unique across applications, e.g. "expenses.approve" */
  name: string;
  description: string;
  /** IIQ role names (Role.name in iiq-graph) whose holders are granted this permission */
  grantedBy: readonly string[];
}

export interface ApplicationDef {
  key: string;
  name: string;
  permissions: readonly AppPermissionDef[];
}

export const APPLICATIONS: readonly ApplicationDef[] = [
  {
    key: 'expenses',
    name: 'Expense Portal',
    permissions: [
      { name: 'expenses.submit', description: 'Submit expense reports', grantedBy: ['Employee Baseline'] },
      { name: 'expenses.approve', description: 'Approve the expense reports of direct reports', grantedBy: ['People Manager', 'Executive'] },
      {
        name: 'expenses.audit',
        description: 'Audit and reimburse expense reports',
        grantedBy: ['Accounts Payable Clerk', 'Controller', 'Financial Analyst'],
      },
    ],
  },
  {
    key: 'helpdesk',
    name: 'Helpdesk',
    permissions: [
      { name: 'tickets.resolve', description: 'Work and resolve IT tickets', grantedBy: ['Help Desk Technician', 'Systems Administrator'] },
      { name: 'tickets.escalate', description: 'Escalate tickets to engineering', grantedBy: ['Network Engineer', 'Platform Engineer', 'Security Analyst'] },
    ],
  },
];
