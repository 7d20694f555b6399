// The fixed vocabulary of the demo IIQ: departments, locations, applications, the role model and the names.
// Deliberately hand-written so the data looks like a real installation rather than random strings.

export interface DepartmentDef {
  name: string;
  division: string;
  code: string;
  jobs: string[];
}

export const DIVISIONS = ['Corporate Functions', 'Technology', 'Commercial', 'Operations'] as const;

export const DEPARTMENTS: DepartmentDef[] = [
  { name: 'Executive', division: 'Corporate Functions', code: 'EX', jobs: ['Chief of Staff', 'Executive Assistant'] },
  { name: 'Finance', division: 'Corporate Functions', code: 'FI', jobs: ['Accounts Payable Clerk', 'Accounts Receivable Clerk', 'Financial Analyst', 'Payroll Specialist', 'Controller'] },
  { name: 'Human Resources', division: 'Corporate Functions', code: 'HR', jobs: ['HR Generalist', 'Recruiter', 'HR Case Agent'] },
  { name: 'Legal', division: 'Corporate Functions', code: 'LG', jobs: ['Legal Counsel', 'Paralegal'] },
  { name: 'Engineering', division: 'Technology', code: 'EN', jobs: ['Software Engineer', 'Platform Engineer', 'QA Engineer'] },
  { name: 'IT Operations', division: 'Technology', code: 'IT', jobs: ['Systems Administrator', 'Help Desk Technician', 'Network Engineer', 'Identity Engineer'] },
  { name: 'Security', division: 'Technology', code: 'SE', jobs: ['Security Analyst', 'Security Architect'] },
  { name: 'Sales', division: 'Commercial', code: 'SA', jobs: ['Account Executive', 'Sales Manager', 'Sales Operations Analyst'] },
  { name: 'Marketing', division: 'Commercial', code: 'MK', jobs: ['Marketing Specialist', 'Content Writer'] },
  { name: 'Customer Support', division: 'Operations', code: 'CS', jobs: ['Support Agent', 'Support Team Lead'] },
  { name: 'Supply Chain', division: 'Operations', code: 'SC', jobs: ['Buyer', 'Logistics Coordinator'] },
  { name: 'Manufacturing', division: 'Operations', code: 'MF', jobs: ['Production Planner', 'Quality Inspector'] },
];

export interface LocationDef {
  name: string;
  region: string;
  code: string;
}

export const LOCATIONS: LocationDef[] = [
  { name: 'Austin', region: 'Americas', code: 'L01' },
  { name: 'Raleigh', region: 'Americas', code: 'L02' },
  { name: 'New York', region: 'Americas', code: 'L03' },
  { name: 'São Paulo', region: 'Americas', code: 'L04' },
  { name: 'Toronto', region: 'Americas', code: 'L05' },
  { name: 'London', region: 'EMEA', code: 'L06' },
  { name: 'Brussels', region: 'EMEA', code: 'L07' },
  { name: 'München', region: 'EMEA', code: 'L08' },
  { name: 'Kraków', region: 'EMEA', code: 'L09' },
  { name: 'Singapore', region: 'APAC', code: 'L10' },
  { name: 'Tokyo', region: 'APAC', code: 'L11' },
  { name: 'Sydney', region: 'APAC', code: 'L12' },
  { name: 'Bengaluru', region: 'APAC', code: 'L13' },
];

export const REGIONS = ['Americas', 'EMEA', 'APAC'] as const;

export interface ApplicationDef {
  key: string;
  name: string;
  type: string;
  description: string;
  provisionable: boolean;
  entitlementAttribute: string;
  entitlementType: 'Entitlement' | 'Permission';
  /** values not used by any IT role (noise, like a real catalog) */
  extraValues: string[];
}

export const APPLICATIONS: ApplicationDef[] = [
  { key: 'AD', name: 'Active_Directory', type: 'Active Directory - Direct', description: 'Corporate Active Directory forest', provisionable: true, entitlementAttribute: 'memberOf', entitlementType: 'Entitlement', extraValues: ['All Staff', 'Printers - Floor 3', 'Wi-Fi Guests Sponsors'] },
  { key: 'WD', name: 'Workday', type: 'Workday', description: 'Human capital management (authoritative source)', provisionable: false, entitlementAttribute: 'userBasedSecurityGroups', entitlementType: 'Entitlement', extraValues: ['Benefits Partner'] },
  { key: 'SN', name: 'ServiceNow', type: 'ServiceNow', description: 'IT service management', provisionable: true, entitlementAttribute: 'groups', entitlementType: 'Entitlement', extraValues: ['Knowledge Authors', 'Change Advisory Board'] },
  { key: 'SAP', name: 'SAP ERP', type: 'SAP - Direct', description: 'SAP ECC 6.0 production client 100', provisionable: true, entitlementAttribute: 'roles', entitlementType: 'Permission', extraValues: ['Z_TRAVEL', 'Z_DISPLAY_ONLY'] },
  { key: 'SF', name: 'Salesforce', type: 'Salesforce', description: 'CRM', provisionable: true, entitlementAttribute: 'PermissionSet', entitlementType: 'Permission', extraValues: ['Reports Viewer'] },
  { key: 'GH', name: 'GitHub Enterprise', type: 'GitHub', description: 'Source code hosting', provisionable: true, entitlementAttribute: 'teams', entitlementType: 'Entitlement', extraValues: ['docs', 'interns'] },
];

/** Active Directory group values are DNs, as in a real AD aggregation. */
export function adGroupDn(cn: string): string {
  return `CN=${cn},OU=Groups,DC=example,DC=com`;
}

export interface ItRoleDef {
  name: string;
  app: string;
  values: string[];
}

export const IT_ROLES: ItRoleDef[] = [
  { name: 'AD - Domain Users - IT', app: 'AD', values: ['Domain Users'] },
  { name: 'AD - VPN Access - IT', app: 'AD', values: ['VPN Users'] },
  { name: 'AD - Finance Share - IT', app: 'AD', values: ['Finance Users'] },
  { name: 'AD - HR Share - IT', app: 'AD', values: ['HR Users'] },
  { name: 'AD - Engineering Share - IT', app: 'AD', values: ['Engineering Users'] },
  { name: 'AD - Server Administration - IT', app: 'AD', values: ['Server Admins'] },
  { name: 'AD - Domain Administration - IT', app: 'AD', values: ['Domain Admins'] },
  { name: 'AD - Help Desk - IT', app: 'AD', values: ['Help Desk'] },
  { name: 'SAP - AP Clerk - IT', app: 'SAP', values: ['Z_AP_CLERK'] },
  { name: 'SAP - AR Clerk - IT', app: 'SAP', values: ['Z_AR_CLERK'] },
  { name: 'SAP - General Ledger - IT', app: 'SAP', values: ['Z_GL_ACCOUNTANT', 'Z_DISPLAY_ONLY'] },
  { name: 'SAP - Payroll - IT', app: 'SAP', values: ['Z_PAYROLL'] },
  { name: 'SAP - Purchasing - IT', app: 'SAP', values: ['Z_PURCHASING'] },
  { name: 'SAP - Warehouse - IT', app: 'SAP', values: ['Z_WAREHOUSE'] },
  { name: 'SAP - Production - IT', app: 'SAP', values: ['Z_PRODUCTION'] },
  { name: 'SAP - Superuser - IT', app: 'SAP', values: ['SAP_ALL'] },
  { name: 'ServiceNow - ITIL - IT', app: 'SN', values: ['itil'] },
  { name: 'ServiceNow - Service Desk - IT', app: 'SN', values: ['Service Desk', 'itil'] },
  { name: 'ServiceNow - Network Operations - IT', app: 'SN', values: ['Network Operations'] },
  { name: 'ServiceNow - HR Case Agent - IT', app: 'SN', values: ['HR Case Agents'] },
  { name: 'ServiceNow - Security Incident - IT', app: 'SN', values: ['Security Incident Response'] },
  { name: 'ServiceNow - Support Tier 1 - IT', app: 'SN', values: ['Customer Support Tier 1'] },
  { name: 'ServiceNow - Support Tier 2 - IT', app: 'SN', values: ['Customer Support Tier 2'] },
  { name: 'Salesforce - Sales User - IT', app: 'SF', values: ['Sales User'] },
  { name: 'Salesforce - Sales Manager - IT', app: 'SF', values: ['Sales Manager'] },
  { name: 'Salesforce - Marketing User - IT', app: 'SF', values: ['Marketing User'] },
  { name: 'Salesforce - Service Cloud - IT', app: 'SF', values: ['Service Cloud User'] },
  { name: 'Salesforce - Modify All Data - IT', app: 'SF', values: ['Modify All Data'] },
  { name: 'Workday - Employee Self Service - IT', app: 'WD', values: ['Employee as Self'] },
  { name: 'Workday - Manager - IT', app: 'WD', values: ['Manager'] },
  { name: 'Workday - HR Partner - IT', app: 'WD', values: ['HR Partner'] },
  { name: 'Workday - Payroll Administrator - IT', app: 'WD', values: ['Payroll Administrator'] },
  { name: 'Workday - Recruiter - IT', app: 'WD', values: ['Recruiter'] },
  { name: 'GitHub - Engineering - IT', app: 'GH', values: ['engineering'] },
  { name: 'GitHub - Platform - IT', app: 'GH', values: ['platform', 'engineering'] },
  { name: 'GitHub - Security - IT', app: 'GH', values: ['security'] },
  { name: 'GitHub - QA - IT', app: 'GH', values: ['qa'] },
  { name: 'GitHub - Organization Admin - IT', app: 'GH', values: ['admins'] },
];

export interface BusinessRoleDef {
  name: string;
  /** department whose organizational role is the parent; null = the enterprise root */
  department: string | null;
  /** a team (4th level organizational role) under the department, when the role belongs to one */
  team?: string;
  requires: string[];
  permits?: string[];
  active?: boolean;
  description: string;
}

export const BUSINESS_ROLES: BusinessRoleDef[] = [
  { name: 'Employee Baseline', department: null, requires: ['AD - Domain Users - IT', 'Workday - Employee Self Service - IT'], permits: ['AD - VPN Access - IT'], description: 'Birthright access for every employee.' },
  { name: 'People Manager', department: null, requires: ['Workday - Manager - IT'], description: 'Access for identities with <b>direct reports</b>.' },
  { name: 'Executive', department: 'Executive', requires: ['SAP - General Ledger - IT', 'Salesforce - Sales Manager - IT'], description: 'Executive reporting access.' },
  { name: 'Chief of Staff', department: 'Executive', requires: ['AD - VPN Access - IT'], description: 'Office of the CEO.' },
  { name: 'Executive Assistant', department: 'Executive', requires: ['AD - VPN Access - IT'], description: 'Calendar and travel management.' },
  { name: 'Accounts Payable Clerk', department: 'Finance', team: 'Accounts Payable Team', requires: ['SAP - AP Clerk - IT', 'AD - Finance Share - IT'], description: 'Processes vendor invoices.' },
  { name: 'Accounts Receivable Clerk', department: 'Finance', requires: ['SAP - AR Clerk - IT', 'AD - Finance Share - IT'], description: 'Processes customer payments.' },
  { name: 'Financial Analyst', department: 'Finance', requires: ['SAP - General Ledger - IT', 'AD - Finance Share - IT'], description: 'Planning and analysis.' },
  { name: 'Payroll Specialist', department: 'Finance', requires: ['SAP - Payroll - IT', 'Workday - Payroll Administrator - IT'], description: 'Runs payroll.' },
  { name: 'Controller', department: 'Finance', requires: ['SAP - General Ledger - IT', 'AD - Finance Share - IT'], permits: ['SAP - AP Clerk - IT'], description: 'Financial controlling.' },
  { name: 'HR Generalist', department: 'Human Resources', requires: ['Workday - HR Partner - IT', 'AD - HR Share - IT'], description: 'Generalist HR support.' },
  { name: 'Recruiter', department: 'Human Resources', requires: ['Workday - Recruiter - IT', 'AD - HR Share - IT'], description: 'Talent acquisition.' },
  { name: 'HR Case Agent', department: 'Human Resources', requires: ['ServiceNow - HR Case Agent - IT', 'AD - HR Share - IT'], description: 'Handles HR cases.' },
  { name: 'Legal Counsel', department: 'Legal', requires: ['AD - VPN Access - IT'], description: 'Legal advice & contracts.' },
  { name: 'Paralegal', department: 'Legal', requires: ['AD - VPN Access - IT'], description: 'Supports counsel.' },
  { name: 'Software Engineer', department: 'Engineering', requires: ['GitHub - Engineering - IT', 'AD - Engineering Share - IT'], description: 'Builds the product.' },
  { name: 'Platform Engineer', department: 'Engineering', requires: ['GitHub - Platform - IT', 'AD - Server Administration - IT'], description: 'Runs the platform.' },
  { name: 'QA Engineer', department: 'Engineering', requires: ['GitHub - QA - IT', 'AD - Engineering Share - IT'], description: 'Tests the product.' },
  { name: 'Systems Administrator', department: 'IT Operations', requires: ['AD - Server Administration - IT', 'ServiceNow - ITIL - IT'], description: 'Server administration.' },
  { name: 'Help Desk Technician', department: 'IT Operations', team: 'Service Desk Team', requires: ['AD - Help Desk - IT', 'ServiceNow - Service Desk - IT'], description: 'First-line IT support.' },
  { name: 'Network Engineer', department: 'IT Operations', requires: ['ServiceNow - Network Operations - IT', 'ServiceNow - ITIL - IT'], description: 'Network operations.' },
  { name: 'Identity Engineer', department: 'IT Operations', requires: ['AD - Domain Administration - IT', 'GitHub - Platform - IT'], description: 'Runs IdentityIQ.' },
  { name: 'Security Analyst', department: 'Security', requires: ['ServiceNow - Security Incident - IT', 'GitHub - Security - IT'], description: 'Security operations.' },
  { name: 'Security Architect', department: 'Security', requires: ['GitHub - Security - IT', 'AD - Server Administration - IT'], description: 'Security architecture.' },
  { name: 'Account Executive', department: 'Sales', team: 'Inside Sales Team', requires: ['Salesforce - Sales User - IT'], description: 'Sells.' },
  { name: 'Sales Manager', department: 'Sales', requires: ['Salesforce - Sales Manager - IT', 'Salesforce - Sales User - IT'], description: 'Leads a sales team.' },
  { name: 'Sales Operations Analyst', department: 'Sales', requires: ['Salesforce - Modify All Data - IT'], description: 'CRM operations.' },
  { name: 'Marketing Specialist', department: 'Marketing', requires: ['Salesforce - Marketing User - IT'], description: 'Campaigns.' },
  { name: 'Content Writer', department: 'Marketing', requires: ['Salesforce - Marketing User - IT'], description: 'Writes content.' },
  { name: 'Support Agent', department: 'Customer Support', requires: ['ServiceNow - Support Tier 1 - IT', 'Salesforce - Service Cloud - IT'], description: 'Customer support, tier 1.' },
  { name: 'Support Team Lead', department: 'Customer Support', requires: ['ServiceNow - Support Tier 2 - IT', 'Salesforce - Service Cloud - IT'], description: 'Customer support, tier 2.' },
  { name: 'Buyer', department: 'Supply Chain', requires: ['SAP - Purchasing - IT'], description: 'Purchasing.' },
  { name: 'Logistics Coordinator', department: 'Supply Chain', requires: ['SAP - Warehouse - IT'], description: 'Logistics.' },
  { name: 'Production Planner', department: 'Manufacturing', team: 'Plant Operations Team', requires: ['SAP - Production - IT'], description: 'Plans production.' },
  { name: 'Quality Inspector', department: 'Manufacturing', team: 'Plant Operations Team', requires: ['SAP - Production - IT'], description: 'Quality control.' },
  { name: 'Legacy Mainframe User', department: 'Finance', requires: [], active: false, description: 'Decommissioned mainframe access.' },
];

/** 4th-level organizational roles: team -> department */
export const TEAMS: Record<string, string> = {
  'Accounts Payable Team': 'Finance',
  'Service Desk Team': 'IT Operations',
  'Inside Sales Team': 'Sales',
  'Plant Operations Team': 'Manufacturing',
};

export const GIVEN_NAMES = [
  'Amanda', 'Aaron', 'Adam', 'Alan', 'Albert', 'Alice', 'Allen', 'Amy', 'Andrew', 'Angela', 'Ann', 'Anthony', 'Arthur', 'Ashley',
  'Barbara', 'Benjamin', 'Betty', 'Beverly', 'Billy', 'Bobby', 'Brandon', 'Brenda', 'Brian', 'Bruce', 'Carl', 'Carol', 'Carolyn',
  'Catherine', 'Charles', 'Cheryl', 'Christina', 'Christine', 'Christopher', 'Cynthia', 'Daniel', 'David', 'Deborah', 'Debra',
  'Denise', 'Dennis', 'Diana', 'Diane', 'Donald', 'Donna', 'Doris', 'Dorothy', 'Douglas', 'Edward', 'Elizabeth', 'Emily', 'Eric',
  'Evelyn', 'Frances', 'Frank', 'Gary', 'George', 'Gerald', 'Gloria', 'Gregory', 'Harold', 'Heather', 'Helen', 'Henry', 'Howard',
  'Jack', 'Jacqueline', 'James', 'Janet', 'Janice', 'Jason', 'Jean', 'Jeffrey', 'Jennifer', 'Jeremy', 'Jerry', 'Jessica', 'Joan',
  'Joe', 'John', 'Johnny', 'Jonathan', 'Jose', 'Joseph', 'Joshua', 'Joyce', 'Judith', 'Judy', 'Julia', 'Julie', 'Justin', 'Karen',
  'Katherine', 'Kathleen', 'Kathryn', 'Kathy', 'Keith', 'Kelly', 'Kenneth', 'Kevin', 'Kimberly', 'Larry', 'Laura', 'Lawrence',
  'Linda', 'Lisa', 'Lori', 'Louis', 'Margaret', 'Maria', 'Marie', 'Marilyn', 'Mark', 'Martha', 'Mary', 'Matthew', 'Melissa',
  'Michael', 'Michelle', 'Mildred', 'Nancy', 'Nicholas', 'Nicole', 'Pamela', 'Patricia', 'Patrick', 'Paul', 'Peter', 'Philip',
  'Phillip', 'Rachel', 'Ralph', 'Raymond', 'Rebecca', 'Richard', 'Robert', 'Robin', 'Roger', 'Ronald', 'Rose', 'Roy', 'Russell',
  'Ruth', 'Ryan', 'Samuel', 'Sandra', 'Sara', 'Sarah', 'Scott', 'Sean', 'Sharon', 'Shirley', 'Stephanie', 'Stephen', 'Steve',
  'Steven', 'Susan', 'Teresa', 'Terry', 'Theresa', 'Thomas', 'Timothy', 'Tina', 'Todd', 'Victor', 'Virginia', 'Walter', 'Wanda',
  'Wayne', 'William', 'Willie', 'Yuki', 'Priya', 'Mei', 'Omar', 'Fatima', 'Lars', 'Ingrid', 'Pieter', 'Sven', 'Chloe', 'Mateo',
];

export const FAMILY_NAMES = [
  'Ross', 'Smith', 'Johnson', 'Williams', 'Jones', 'Brown', 'Davis', 'Miller', 'Wilson', 'Moore', 'Taylor', 'Anderson', 'Thomas',
  'Jackson', 'White', 'Harris', 'Martin', 'Thompson', 'Garcia', 'Martinez', 'Robinson', 'Clark', 'Rodriguez', 'Lewis', 'Lee',
  'Walker', 'Hall', 'Allen', 'Young', 'Hernandez', 'King', 'Wright', 'Lopez', 'Hill', 'Scott', 'Green', 'Adams', 'Baker',
  'Gonzalez', 'Nelson', 'Carter', 'Mitchell', 'Perez', 'Roberts', 'Turner', 'Phillips', 'Campbell', 'Parker', 'Evans', 'Edwards',
  'Collins', 'Stewart', 'Sanchez', 'Morris', 'Rogers', 'Reed', 'Cook', 'Morgan', 'Bell', 'Murphy', 'Bailey', 'Rivera', 'Cooper',
  'Richardson', 'Cox', 'Howard', 'Ward', 'Torres', 'Peterson', 'Gray', 'Ramirez', 'James', 'Watson', 'Brooks', 'Kelly', 'Sanders',
  'Price', 'Bennett', 'Wood', 'Barnes', 'Henderson', 'Coleman', 'Jenkins', 'Perry', 'Powell', 'Long', 'Patterson', 'Hughes',
  'Flores', 'Washington', 'Butler', 'Simmons', 'Foster', 'Gonzales', 'Bryant', 'Alexander', 'Russell', 'Griffin', 'Diaz', 'Hayes',
  'Myers', 'Ford', 'Hamilton', 'Graham', 'Sullivan', 'Wallace', 'Woods', 'Cole', 'West', 'Jordan', 'Owens', 'Reynolds', 'Fisher',
  'Ellis', 'Harrison', 'Gibson', 'Mcdonald', 'Cruz', 'Marshall', 'Ortiz', 'Gomez', 'Murray', 'Freeman', 'Wells', 'Webb', 'Simpson',
  'Stevens', 'Tucker', 'Porter', 'Hunter', 'Hicks', 'Crawford', 'Henry', 'Boyd', 'Mason', 'Morales', 'Kennedy', 'Warren', 'Dixon',
  'Ramos', 'Reyes', 'Burns', 'Gordon', 'Shaw', 'Holmes', 'Rice', 'Robertson', 'Hunt', 'Black', 'Daniels', 'Palmer', 'Mills',
  'Nichols', 'Grant', 'Knight', 'Ferguson', 'Rose', 'Stone', 'Hawkins', 'Dunn', 'Perkins', 'Hudson', 'Spencer', 'Gardner',
  'Stephens', 'Payne', 'Pierce', 'Berry', 'Matthews', 'Arnold', 'Wagner', 'Willis', 'Ray', 'Watkins', 'Olson', 'Carroll', 'Duncan',
  'Snyder', 'Hart', 'Cunningham', 'Bradley', 'Lane', 'Andrews', 'Ruiz', 'Harper', 'Fox', 'Riley', 'Armstrong', 'Carpenter',
  'Weaver', 'Greene', 'Lawrence', 'Elliott', 'Chavez', 'Sims', 'Austin', 'Peters', 'Kelley', 'Franklin', 'Lawson', 'Tanaka', 'Sato',
  'Patel', 'Sharma', 'Chen', 'Wang', 'Novak', 'Jansen', 'Larsen', 'Dubois', 'Rossi', 'Kowalski', 'Nakamura', 'Singh', 'Ahmed',
];

/**
 * Hostile-but-legal identities present in every dataset, whatever its size (tests rely on them):
 * non-ASCII letters, spaces, an apostrophe, double quotes and a backslash in names.
 */
export interface HostileUserDef {
  userName: string;
  givenName: string;
  familyName: string;
  displayName: string;
  email: string;
  department: string;
  jobtitle: string;
  location: string;
}

export const HOSTILE_USERS: HostileUserDef[] = [
  { userName: 'Renée.Weiß', givenName: 'Renée', familyName: 'Weiß', displayName: 'Renée Weiß', email: 'renee.weiss@example.com', department: 'Finance', jobtitle: 'Controller', location: 'München' },
  { userName: '李小龙', givenName: '小龙', familyName: '李', displayName: '李小龙', email: 'xiaolong.li@example.com', department: 'Engineering', jobtitle: 'Software Engineer', location: 'Singapore' },
  { userName: 'Mary Ann Smith', givenName: 'Mary Ann', familyName: 'Smith', displayName: 'Mary Ann Smith', email: 'maryann.smith@example.com', department: 'Sales', jobtitle: 'Sales Manager', location: 'New York' },
  { userName: "Conan.O'Brien", givenName: 'Conan', familyName: "O'Brien", displayName: "Conan O'Brien", email: 'conan.obrien@example.com', department: 'Finance', jobtitle: 'Accounts Payable Clerk', location: 'London' },
  { userName: 'a "quoted" name', givenName: 'a', familyName: '"quoted" name', displayName: 'a "quoted" name', email: 'quoted.name@example.com', department: 'IT Operations', jobtitle: 'Help Desk Technician', location: 'Austin' },
  { userName: 'CORP\\jdoe', givenName: 'John', familyName: 'Doe', displayName: 'John Doe (CORP\\jdoe)', email: 'john.doe@example.com', department: 'Security', jobtitle: 'Security Analyst', location: 'Raleigh' },
];

export const SCIM_CAPABILITIES = ['SCIMExecutor', 'SystemAdministrator'];

export const ADMIN_CAPABILITY_SETS: string[][] = [
  ['SystemAdministrator'],
  ['ApplicationAdministrator', 'RoleAdministrator'],
  ['HelpDesk'],
  ['ComplianceOfficer'],
  ['IdentityAdministrator'],
];
