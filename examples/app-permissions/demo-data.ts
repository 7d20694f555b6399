// Demo data for running the example beside `npm start`: the product's grants computed from the same
// deterministic simulator dataset (seed 42) that `npm start` serves, so userNames and role names line up.
import { generateDataset } from '../../simulator/generate.ts';
import { AppStore } from './store.ts';

export function demoStore(users = 2000, seed = 42): AppStore {
  const data = generateDataset({ users, seed, adminUserName: 'spadmin', adminPassword: 'admin' });
  const roleName = new Map(data.roles.map((r) => [r.id, r.name]));
  return AppStore.fromRoles(data.users.map((u) => ({ userName: u.userName, roleNames: u.roles.map((a) => roleName.get(a.roleId) ?? '') })));
}
